"""Documents named in a question ("S/RES/1373 (2001)", "resolution 2178", "the 2023 renewal",
"the San Salvador conclusions"), resolved against the catalogue of documents the asker may see.

The catalogue is built from the metadata ingestion puts on every chunk (`doc_symbol`,
`doc_number`, `doc_year`, `doc_title`, `doc_series`, ...) and filtered with the very `where`
retrieval uses, so a document the asker may not see is never matched: it stays unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_SYMBOL = re.compile(
    r"\b([A-Z]{1,3})\s*/\s*(RES|PRST|DEC)\b\.?\s*/?\s*((?:[\w-]+/)*\d+[\w-]*)"
    r"(\s*\([^()]{1,24}\))?",
    re.I,
)
_NUMBERED = re.compile(
    r"\b(?:resolutions?|res\.|decisions?|statements?|PRST)\s+(?:no\.?\s*)?"
    r"(\d{2,5}(?:\s*(?:,|and|&)\s*\d{2,5})*)",
    re.I,
)
_YEAR = re.compile(r"\b(19[4-9]\d|20\d\d)\b")
_PROPER = re.compile(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+(?:de\s+|of\s+)?[A-Z][a-zà-ÿ'’-]+)*")
_COMMON = frozenset(
    """What Which Who Whom When Where Why How Does Do Did Is Are Was Were Can Could Should Would
    Under According The A An In On Of For To By From And Or Council Security General Assembly
    Resolution Resolutions Statement Declaration Conclusions Report Member States State United
    Nations Secretary Committee President Presidential Meeting Annex Paragraph Article Please
    Tell List Name Give Summarise Summarize Explain Decides Calls Urges Recalling Regional
    Organization Organisation American Caribbean Community""".split()
)

COMMON = _COMMON
"""Capitalised words that name no particular thing (question words, bodies, document kinds)."""


def _squash(symbol: str) -> str:
    """`S/RES/2700 (2023)`, `s/res/2700`, `AG/RES. 1886 (XXXII-O/02)` → `SRES2700`,
    `SRES2700`, `AGRES1886`: the part before any parenthesis, letters and digits only."""
    head = symbol.split("(", 1)[0]
    return re.sub(r"[^A-Z0-9]", "", head.upper())


def _paren_year(symbol: str) -> int:
    match = re.search(r"\((?:[^()]*?)(\d{4})\)", symbol)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class DocInfo:
    """One document, as its chunks' metadata describe it."""

    source: str
    symbol: str = ""
    number: str = ""
    year: int = 0
    date: str = ""
    type: str = ""
    title: str = ""
    series: str = ""
    ids: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """One chunk's metadata: what the visibility filter is evaluated on."""

    @property
    def label(self) -> str:
        return self.symbol or self.title or self.source

    @property
    def order(self) -> tuple[str, int, str]:
        """Which version of a series is later: date, then year, then number."""
        return (self.date, self.year, self.number.zfill(6))


def catalogue(units: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, DocInfo]:
    """Documents by source, from (unit id, metadata) pairs of document chunks."""
    ids: dict[str, list[str]] = {}
    first: dict[str, Mapping[str, Any]] = {}
    for id_, meta in units:
        if meta.get("kind") != "document":
            continue
        source = str(meta.get("source", ""))
        ids.setdefault(source, []).append(id_)
        first.setdefault(source, meta)
    out: dict[str, DocInfo] = {}
    for source, meta in first.items():
        try:
            year = int(meta.get("doc_year") or 0)
        except (TypeError, ValueError):
            year = 0
        out[source] = DocInfo(
            source=source,
            symbol=str(meta.get("doc_symbol") or ""),
            number=str(meta.get("doc_number") or ""),
            year=year,
            date=str(meta.get("doc_date") or ""),
            type=str(meta.get("doc_type") or ""),
            title=str(meta.get("doc_title") or ""),
            series=str(meta.get("doc_series") or ""),
            ids=tuple(ids[source]),
            meta=meta,
        )
    return out


@dataclass(frozen=True)
class References:
    """What a question says about which document it is about."""

    symbols: tuple[tuple[str, int], ...] = ()
    """(squashed symbol, year in parentheses or 0)."""
    numbers: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    """Capitalised phrases that may name a meeting or place ("San Salvador")."""

    @property
    def empty(self) -> bool:
        return not (self.symbols or self.numbers or self.years or self.names)


def parse(question: str) -> References:
    symbols: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for match in _SYMBOL.finditer(question):
        text = match.group(0)
        symbols.append((_squash(text), _paren_year(text)))
        spans.append(match.span())
    rest = question
    for start, end in reversed(spans):
        rest = rest[:start] + " " * (end - start) + rest[end:]
    numbers = [
        n for match in _NUMBERED.finditer(rest) for n in re.findall(r"\d{2,5}", match.group(1))
    ]
    years = [int(y) for y in _YEAR.findall(question)]
    years += [y for _s, y in symbols if y]
    names = []
    for match in _PROPER.finditer(rest):
        words = match.group(0).split()
        if len(words) == 1 and not rest[: match.start()].strip(" \"'“(-"):
            continue  # a sentence's first word is capitalised anyway
        words = [w for w in words if w not in _COMMON]
        while words and words[0] in ("of", "de"):
            words.pop(0)
        while words and words[-1] in ("of", "de"):
            words.pop()
        phrase = " ".join(words)
        if len(phrase) >= 4:
            names.append(phrase)
    return References(
        tuple(dict.fromkeys(symbols)),
        tuple(dict.fromkeys(numbers)),
        tuple(dict.fromkeys(years)),
        tuple(dict.fromkeys(names)),
    )


@dataclass(frozen=True)
class Resolved:
    """Documents the question names (by symbol, number or name), and the years it names."""

    named: frozenset[str] = field(default_factory=frozenset)
    years: tuple[int, ...] = ()


def resolve(refs: References, docs: Mapping[str, DocInfo]) -> Resolved:
    """Match references against visible documents only. A year alone names nothing (it
    chooses within a series); a name counts when it occurs in few documents' titles."""
    named: set[str] = set()
    for squashed, year in refs.symbols:
        for doc in docs.values():
            same = bool(doc.symbol) and _squash(doc.symbol) == squashed
            if same and (not year or not doc.year or doc.year == year):
                named.add(doc.source)
    for number in refs.numbers:
        matches = [d for d in docs.values() if d.number == number]
        if refs.years:
            dated = [d for d in matches if d.year in refs.years]
            matches = dated or matches
        named.update(d.source for d in matches)
    titled = [d for d in docs.values() if d.title]
    limit = max(1, len(titled) // 10)
    for name in refs.names:
        pattern = re.compile(rf"\b{re.escape(name)}\b", re.I)
        matches = [d for d in titled if pattern.search(d.title)]
        if 0 < len(matches) <= limit:
            named.update(d.source for d in matches)
    return Resolved(frozenset(named), refs.years)
