"""The stages after first-stage fusion (cosine + saturated BM25), each switchable so an
ablation can show what it adds: named documents, yearly series, passage structure, and the
primary text ahead of a summary that repeats it (docs/decisions/0018)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from secbot.knowledge.doc_refs import DocInfo, References, Resolved

NAMED_BOOST = 0.25
"""Added to the fused score of a passage from a document the question names: a preamble that
merely recalls the named document gets nothing."""
SERIES_BOOST = 0.2
"""Added to the chosen version of a series, taken from the others."""
LATEST_BOOST = 0.06
"""Moved from an older version's passage to the latest version's near-identical one, when the
question names no version: only between twins, so a paragraph only an older version has
(a paraphrase of its own words) keeps its rank (decision 0030)."""
TWIN_OVERLAP = 0.6
"""Share of word stems two passages of one series must share to be the same paragraph."""
HEADING_PENALTY = 0.12
"""A title block or bare heading rarely holds an answer."""
SUMMARY_OVERLAP = 0.35
"""Share of words a summary must have in common with a primary passage to count as repeating it."""


@dataclass(frozen=True)
class Stages:
    """Which stages run after first-stage fusion; all on by default. `Stages.parse("none")`
    gives first-stage hybrid only, for the ablation table."""

    doc_refs: bool = True
    series: bool = True
    structure: bool = True
    primary_first: bool = True

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def parse(cls, text: str) -> Stages:
        """`all`, `none`, or a comma list of stage names to switch on (`doc_refs,series`)."""
        text = text.strip().lower()
        if text in ("", "all"):
            return cls()
        off = cls(**dict.fromkeys(cls.names(), False))
        if text == "none":
            return off
        wanted = [w.strip() for w in text.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in cls.names()]
        if unknown:
            raise ValueError(f"unknown stage {', '.join(unknown)}; known: {', '.join(cls.names())}")
        return replace(off, **dict.fromkeys(wanted, True))


@dataclass(frozen=True)
class Plan:
    """What the stages decided for one question before ranking."""

    boost: Mapping[str, float]
    """Score added per document source (negative: another version of a chosen series)."""
    extra: tuple[str, ...] = ()
    """Sources whose passages must be candidates even if the first stage missed them."""
    as_of: Mapping[str, str] | None = None
    """Source → label of the series version answered from when the question named none."""
    named: frozenset[str] = frozenset()
    """Documents the question names: their boost counts toward the relevance floor."""
    twins: Mapping[str, tuple[str, ...]] | None = None
    """Latest version chosen when the question named none → the series' other versions: a
    passage of theirs yields to a near-identical one of the latest (`prefer_latest`)."""


def plan(
    stages: Stages,
    refs: References,
    resolved: Resolved,
    visible: Mapping[str, DocInfo],
    top_sources: Sequence[str],
) -> Plan:
    """Boosts for named documents and series choices. `top_sources`: the documents of the
    first-stage top hits, best first."""
    boost: dict[str, float] = {}
    extra: list[str] = []
    as_of: dict[str, str] = {}
    twins: dict[str, tuple[str, ...]] = {}
    if stages.doc_refs:
        for source in sorted(resolved.named):
            boost[source] = boost.get(source, 0.0) + NAMED_BOOST
            extra.append(source)
    if stages.series:
        seen: set[str] = set()
        for source in top_sources:
            doc = visible.get(source)
            if doc is None or not doc.series or doc.series in seen:
                continue
            seen.add(doc.series)
            versions = [d for d in visible.values() if d.series == doc.series]
            if len(versions) < 2:
                continue
            chosen = _choose(versions, refs, resolved)
            weight = SERIES_BOOST
            sources = {v.source for v in versions}
            in_hits = {s for s in top_sources[:3] if s in sources}
            latest = max(versions, key=_order)
            if chosen is None and len(in_hits) < 2:
                # One version answers on its own: nothing to choose; when it is the latest,
                # the answer still says which version it is current as of.
                if source == latest.source:
                    as_of[source] = latest.label
                continue
            if chosen is None:
                # Named none: the latest version among the first stage's best three answers
                # (a later renewal that does not repeat the paragraph cannot), and the answer
                # says which. Softly: near-identical paragraphs score alike, so a small lift
                # decides between them, while a passage only an older version has can win.
                found = [v for v in versions if v.source in in_hits]
                chosen = max(found or versions, key=_order)
                as_of[chosen.source] = chosen.label
                twins[chosen.source] = tuple(v.source for v in versions if v != chosen)
                extra.append(chosen.source)
                continue
            for version in versions:
                delta = weight if version.source == chosen.source else -weight
                boost[version.source] = boost.get(version.source, 0.0) + delta
            extra.append(chosen.source)
    named = resolved.named if stages.doc_refs else frozenset()
    return Plan(boost, tuple(dict.fromkeys(extra)), as_of or None, named, twins or None)


def _order(doc: DocInfo) -> tuple[str, int, str]:
    return doc.order


def _choose(versions: list[DocInfo], refs: References, resolved: Resolved) -> DocInfo | None:
    """The version the question names: by symbol or number, else by year."""
    named = [v for v in versions if v.source in resolved.named]
    if named:
        return max(named, key=_order)
    dated = [v for v in versions if v.year and v.year in refs.years]
    return max(dated, key=_order) if dated else None


def adjust(score: float, meta: Mapping[str, Any], stages: Stages, the_plan: Plan) -> float:
    """A candidate's final score: fused score plus its document's boost, less the structure
    penalty for a title block or heading."""
    score += the_plan.boost.get(str(meta.get("source", "")), 0.0)
    if stages.structure and meta.get("section") in ("heading", "title"):
        score -= HEADING_PENALTY
    return score


def primary_ahead(items: list[Any], words: Any) -> list[Any]:
    """Move a primary text (a passage with a document symbol) ahead of a summary (no symbol)
    ranked above it that repeats it. `items` carry `.metadata` and `.text`; `words(text)`
    gives a passage's set of word stems."""
    out = list(items)
    i = 0
    while i < len(out):
        summary = out[i]
        if summary.metadata.get("kind") != "document" or summary.metadata.get("doc_symbol"):
            i += 1
            continue
        mine = words(summary.text)
        moved = False
        for j in range(i + 1, len(out)):
            primary = out[j]
            if not primary.metadata.get("doc_symbol"):
                continue
            theirs = words(primary.text)
            if (
                mine
                and theirs
                and len(mine & theirs) / min(len(mine), len(theirs)) >= (SUMMARY_OVERLAP)
            ):
                out.insert(i, out.pop(j))
                moved = True
                break
        i += 2 if moved else 1
    return out


def prefer_latest(
    scores: Mapping[str, float],
    passage: Callable[[str], tuple[str, Mapping[str, Any]]],
    the_plan: Plan,
    words: Callable[[str], set[str]],
) -> dict[str, float]:
    """A series the question named no version of: each candidate passage of an older version
    that has a near-identical twin among the latest version's candidates yields LATEST_BOOST
    to it. `passage(id)` gives a candidate's (text, metadata); `words(text)` its stems."""
    out = dict(scores)
    if not the_plan.twins:
        return out
    older = {old: latest for latest, olds in the_plan.twins.items() for old in olds}
    stems: dict[str, set[str]] = {}
    by_source: dict[str, list[str]] = {}
    for id_ in scores:
        text, meta = passage(id_)
        stems[id_] = words(text)
        by_source.setdefault(str(meta.get("source", "")), []).append(id_)
    lifted: set[str] = set()
    for source, latest in older.items():
        for id_ in by_source.get(source, []):
            twin = max(
                by_source.get(latest, []),
                key=lambda j: _overlap(stems[id_], stems[j]),
                default=None,
            )
            if twin is None or _overlap(stems[id_], stems[twin]) < TWIN_OVERLAP:
                continue
            out[id_] -= LATEST_BOOST
            if twin not in lifted:
                out[twin] += LATEST_BOOST
                lifted.add(twin)
    return out


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
