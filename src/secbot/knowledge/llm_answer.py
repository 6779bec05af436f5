"""Answer a question with a chat model, grounded in permitted passages, and distrust its output.

The passages reaching this module have already passed the visibility re-check, but a model can
still be steered by text inside them (prompt injection) or simply invent things. So the prompt
fences passages as data, and the reply is post-processed whatever the model said: links, report
numbers and register codes that the passages do not contain are removed, and citation markers
must point at a passage that was given. Any model failure becomes `LLMUnavailable`, so the
caller can fall back to the extractive answer.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import openai
from langchain.chat_models import init_chat_model
from langchain_core.exceptions import ModelError
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from secbot.knowledge.passages import Answer, Citation, Passage
from secbot.knowledge.prompts import load_prompt

FENCE_OPEN = "<<<DATA"
FENCE_CLOSE = "DATA>>>"
CITED_TEXT_CHARS = 300
# Placeholder key for OpenAI-compatible local servers (llama.cpp, vLLM) that need none.
LOCAL_API_KEY = "not-needed"

_DASH = "\\-\u2010-\u2015\u2212"  # ASCII hyphen plus Unicode dashes a model might swap in
_IDENTIFIER = re.compile(rf"\b(?:[A-Z]{{3}}[{_DASH}]\d{{4}}|(?:RT|OBJ)[{_DASH}]\d{{2}})\b")
_DASHES = re.compile(rf"[{_DASH}]")
_FENCE_RUN = re.compile(r"<{3,}|>{3,}")
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_CITED_NUMBER = re.compile(r"\[(\d+)\]")

_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w-])"
_LINK = re.compile(
    r"(?P<md>!?\[(?P<label>[^\[\]\n]*)\]\(\s*<?(?P<target>[^()\s<>]+)>?(?:\s+\"[^\"\n]*\")?\s*\))"
    r"|(?P<url><?(?:[A-Za-z][A-Za-z0-9+.-]*://|mailto:|www\.)\S+)"
    rf"|(?P<email>(?<![\w.+-])[\w.+%-]+@{_DOMAIN})"
    rf"|(?P<bare>(?<![\w@./-])(?:{_DOMAIN}|(?:\d{{1,3}}\.){{3}}\d{{1,3}})(?::\d{{1,5}})?(?:/\S*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"*_>"


class LLMUnavailable(Exception):
    """The model could not give an answer (network, HTTP status, timeout, empty reply)."""


def _model_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "the model is unavailable", not "the code is wrong"."""
    errors: list[type[BaseException]] = [
        ModelError,  # langchain-core's provider-neutral classification (1.x)
        openai.OpenAIError,
        httpx.HTTPError,
        TimeoutError,
        ConnectionError,
    ]
    # ollama is optional; its status errors do not derive from the ones above
    with contextlib.suppress(ImportError, AttributeError):
        errors.append(importlib.import_module("ollama").ResponseError)
    return tuple(errors)


def make_chat_model(
    spec: str,
    base_url: str | None,
    api_key: str | None,
    timeout: float = 30.0,
    *,
    max_retries: int = 2,
) -> BaseChatModel:
    """Build a deterministic (temperature 0) chat model from `provider:model`.

    `openai:...` also serves any OpenAI-compatible endpoint through `base_url`; `ollama:...`
    takes `base_url` and sends `api_key`, if any, as a bearer token (for a proxy in front).
    """
    provider, sep, name = spec.partition(":")
    if not sep or not provider or not name:
        raise ValueError(f"model spec {spec!r} must look like 'openai:gpt-4o-mini'")
    kwargs: dict[str, Any] = {"temperature": 0}
    if provider == "ollama":
        client_kwargs: dict[str, Any] = {"timeout": timeout}
        if api_key:
            client_kwargs["headers"] = {"Authorization": f"Bearer {api_key}"}
        kwargs["client_kwargs"] = client_kwargs
        if base_url:
            kwargs["base_url"] = base_url
    else:
        kwargs.update(timeout=timeout, max_retries=max_retries)
        if base_url:
            kwargs["base_url"] = base_url
        if api_key:
            kwargs["api_key"] = api_key
        elif base_url and provider == "openai" and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = LOCAL_API_KEY
    model = init_chat_model(name, model_provider=provider, **kwargs)
    if not isinstance(model, BaseChatModel):  # a configurable wrapper would defer errors
        raise TypeError(f"{spec!r} did not give a fixed chat model")
    return model


def _neutralise(text: str) -> str:
    """Break runs of three or more angle brackets so text cannot open or close a fence."""
    return _FENCE_RUN.sub(lambda m: ("‹" if m.group()[0] == "<" else "›") * len(m.group()), text)


def fence_passages(passages: Sequence[Passage]) -> str:
    """Number the passages and wrap each in data fences the system prompt tells the model about."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        label = _neutralise(" ".join(passage.citation.split()))
        body = _neutralise(passage.text.strip())
        blocks.append(f"[{number}] source: {label}\n{FENCE_OPEN}\n{body}\n{FENCE_CLOSE}")
    return "\n\n".join(blocks)


def _canonical_id(identifier: str) -> str:
    return _DASHES.sub("-", identifier)


def _strip_links(text: str, evidence: str) -> str:
    """Remove every link, address or domain that is not written verbatim in the passages."""

    def replace(match: re.Match[str]) -> str:
        if match.group("md"):
            if match.group("target") in evidence:
                return match.group()
            return _strip_links(match.group("label"), evidence)
        token = match.group()
        core = token.rstrip(_TRAILING)
        tail = token[len(core) :]
        core = core.removeprefix("<") if match.group("url") else core
        if core in evidence:
            return match.group()
        return tail.removeprefix(">") if match.group("url") else tail

    return _LINK.sub(replace, text)


def _strip_identifiers(text: str, allowed: set[str]) -> str:
    """Remove report numbers and register codes the passages do not contain."""
    return _IDENTIFIER.sub(lambda m: m.group() if _canonical_id(m.group()) in allowed else "", text)


def _keep_valid_citations(text: str, count: int) -> str:
    """Keep only markers [n] with 1 <= n <= count; "[1, 9]" becomes "[1]"."""

    def replace(match: re.Match[str]) -> str:
        numbers = dict.fromkeys(int(n) for n in re.findall(r"\d+", match.group(1)))
        return "".join(f"[{n}]" for n in numbers if 1 <= n <= count)

    return _CITATION.sub(replace, text)


def _tidy(text: str) -> str:
    """Clean the gaps that removals leave behind."""
    text = re.sub(r"\(\s*[,;]?\s*\)", "", text)
    text = re.sub(r",(?:[ \t]*,)+", ",", text)
    text = re.sub(r":[ \t]*,", ":", text)
    text = re.sub(r",[ \t]*([.;:)\]])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.strip()


class LLMAnswerer:
    """Generative answerer: the model writes, this class decides what may reach the reader."""

    def __init__(self, model: BaseChatModel, prompts_dir: Path | None = None) -> None:
        self._model = model
        self._system = load_prompt("system", prompts_dir)
        self._template = load_prompt("answer", prompts_dir)
        self._refusal = load_prompt("refusal", prompts_dir)

    def messages(self, question: str, passages: Sequence[Passage]) -> list[BaseMessage]:
        """The exact messages sent to the model (public so callers can log or inspect them)."""
        user = self._template.format(
            question=_neutralise(question.strip()), passages=fence_passages(passages)
        )
        return [SystemMessage(content=self._system), HumanMessage(content=user)]

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        """Answer from `passages` only; with none, return the fixed refusal (found=False)."""
        if not passages:
            return Answer(text=self._refusal, citations=(), found=False)
        try:
            reply = self._model.invoke(self.messages(question, passages))
        except _model_errors() as exc:
            raise LLMUnavailable(
                f"language model unavailable: {type(exc).__name__}: {exc}"
            ) from exc
        text = self.clean(str(reply.text), passages)
        if not text:
            raise LLMUnavailable("language model returned an empty answer")
        cited = [int(n) for n in dict.fromkeys(_CITED_NUMBER.findall(text))]
        if not cited:
            top = max(range(len(passages)), key=lambda i: passages[i].score) + 1
            text, cited = f"{text} [{top}]", [top]
        citations = tuple(
            Citation(
                source=p.source, locator=p.locator, text=p.text[:CITED_TEXT_CHARS], score=p.score
            )
            for p in (passages[n - 1] for n in cited)
        )
        return Answer(text=text, citations=citations, found=True)

    @staticmethod
    def clean(text: str, passages: Sequence[Passage]) -> str:
        """Post-process a model reply: foreign links, foreign ids and bad citations go."""
        evidence = "\n".join(p.text for p in passages)
        allowed = {_canonical_id(m) for m in _IDENTIFIER.findall(evidence)}
        allowed |= {_canonical_id(p.public_id) for p in passages if p.public_id}
        text = _strip_links(text, evidence)
        text = _strip_identifiers(text, allowed)
        text = _keep_valid_citations(text, len(passages))
        return _tidy(text)
