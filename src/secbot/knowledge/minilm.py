"""A BERT sentence encoder (mean pooling, L2-normalised) in numpy, with `tokenizers` and
`safetensors` reading the packaged model folder.

Why: importing sentence-transformers pulls in torch and transformers, 4-5 s of imports before
the first vector, most of a cold `secbot ask`. all-MiniLM-L6-v2 is a plain six-layer BERT
with mean pooling: a few lines of numpy; the vectors match sentence-transformers' to about
1e-6 (tested), so an index built either way stays valid. Folders that are not exactly
that shape (`plain_bert_folder` returns None) are loaded with sentence-transformers as before.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def plain_bert_folder(folder: Path) -> dict[str, Any] | None:
    """The BERT config when the folder is Transformer(BERT) + mean Pooling [+ Normalize]."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        if kinds != ["Transformer", "Pooling", "Normalize"] or modules[0].get("path", ""):
            return None
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text("utf-8"))
        modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        sbert = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        if (
            modes != {"pooling_mode_mean_tokens"}
            or config.get("model_type") != "bert"
            or config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
            or sbert.get("do_lower_case")
            or not (folder / "model.safetensors").is_file()
            or not (folder / "tokenizer.json").is_file()
        ):
            return None
        return {**config, "max_seq_length": int(sbert.get("max_seq_length", 256))}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _erf(x: Any) -> Any:
    """Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7): numpy has no erf."""
    import numpy as np

    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


class BertEncoder:
    def __init__(self, folder: Path, config: dict[str, Any]) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.weights: dict[str, Any] = load_file(str(folder / "model.safetensors"))
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self._transposed: dict[str, Any] = {}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))

    def _linear(self, x: Any, name: str) -> Any:
        """As a 2-D product with a contiguous transposed weight: numpy's stacked matmul with a
        transposed view skips BLAS and was a hundred times slower."""
        weight = self._transposed.get(name)
        if weight is None:
            import numpy as np

            weight = self._transposed[name] = np.ascontiguousarray(self.weights[f"{name}.weight"].T)
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.weights[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _norm(self, x: Any, name: str) -> Any:
        import numpy as np

        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        scaled = (x - mean) / np.sqrt(var + self.eps)
        return scaled * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        import numpy as np

        batch = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
        size, length = ids.shape
        w, d = self.weights, self.hidden // self.heads
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min

        def heads(t: Any) -> Any:
            return t.reshape(size, length, self.heads, d).transpose(0, 2, 1, 3)

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = heads(self._linear(x, f"{p}.attention.self.query"))
            k = heads(self._linear(x, f"{p}.attention.self.key"))
            v = heads(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(size, length, -1)
            x = self._norm(
                self._linear(context, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            inner = self._linear(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
            out = self._linear(inner, f"{p}.output.dense")
            x = self._norm(out + x, f"{p}.output.LayerNorm")
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return [[float(v) for v in row] for row in (pooled / norms).astype(np.float32)]
