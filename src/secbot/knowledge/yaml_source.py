"""Reading a hand-edited YAML file so that every fault points at its line: syntax errors,
duplicate keys, and pydantic's validation errors traced back into the YAML tree and reworded
the way a compiler would report them, instead of a traceback or a raw pydantic dump.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel
from pydantic_core import ErrorDetails

Loc = Sequence[int | str]


class KnowledgeFileError(Exception):
    """A knowledge file is missing or wrong; `line` (1-based) points at what to fix."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def root_causes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop knock-on errors: a bad indicator also makes `indicators` look too short."""
    locs = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e in errors
        if not any(
            len(other) > len(e["loc"]) and other[: len(e["loc"])] == e["loc"] for other in locs
        )
    ]


def read_yaml(path: Path, key: str) -> tuple[yaml.Node, object]:
    """Compose (for line numbers) and construct (for values) in one pass with the safe loader."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeFileError(
            path,
            1,
            "file not found; a knowledge directory needs states.yaml, threats.yaml, "
            "objectives.yaml and contacts.yaml (see knowledge/README.md)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeFileError(path, 1, f"cannot read the file as UTF-8 text: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise KnowledgeFileError(path, 1, f"file is empty; expected a top-level '{key}:' list")
        _reject_duplicate_keys(path, root)
        data: object = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise KnowledgeFileError(
            path, mark.line + 1 if mark else 1, f"YAML syntax: {detail}"
        ) from None
    except yaml.YAMLError as exc:
        raise KnowledgeFileError(path, 1, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    return root, data


def _reject_duplicate_keys(path: Path, node: yaml.Node) -> None:
    """YAML silently keeps the last of two equal keys; in a hand-edited file that hides a typo."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    line = key.start_mark.line + 1
                    raise KnowledgeFileError(
                        path, line, f"{key.value}: key appears twice in this entry"
                    )
                seen.add(key.value)
            _reject_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(path, item)


def node_at(root: yaml.Node, loc: Loc, at_key: bool) -> yaml.Node:
    """Follow a pydantic error location into the YAML tree as far as the tree goes."""
    node = root
    for n, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((kv for kv in node.value if getattr(kv[0], "value", None) == part), None)
            if match is None:
                return node
            node = match[0] if at_key and n == len(loc) - 1 else match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            return node
    return node


def describe(error: ErrorDetails, model: type[BaseModel]) -> tuple[Loc, str, bool]:
    """Turn one pydantic error into (where, what to tell the editor, point at the key?)."""
    loc = error["loc"]
    field = _label(loc)
    kind = error["type"]
    if kind == "missing":
        where = "the file" if len(loc) == 1 else "this entry"
        return loc, f"{field}: required key is missing from {where}", False
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = ", ".join(owner.model_fields) if owner else "see knowledge/README.md"
        return loc, f"{field}: unknown key; allowed keys are: {allowed}", True
    if kind in ("not_one_of", "bad_value", "bad_date"):
        return loc, f"{field}: {error['msg']}", False
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"{field}: expected an entry of 'key: value' lines", False
    shown = repr(error["input"])
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return loc, f"{field}: {error['msg']} (got {shown})", False


def _label(loc: Loc) -> str:
    """Name a location the way the file reads: `indicators[0].due`, relative to its entry."""
    parts = list(loc[2:]) if len(loc) > 2 else list(loc)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "file"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The record model that owns the key at `loc`, to list its allowed keys."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if current else None
        current = _inner_model(field.annotation) if field else None
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
