"""Answering a question: retrieve through the rule, re-check every hit against SQL, then answer
from the permitted passages only (extractively, or with an LLM when one is configured)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.chroma import retrieval_where
from secbot.access.principal import SECRETARIAT, Principal
from secbot.access.reads import facts
from secbot.access.scope import Scope, permits, scope_for
from secbot.access.sql import submission_filter
from secbot.db.models import Submission
from secbot.domain.enums import TLP
from secbot.knowledge import extractive
from secbot.knowledge.fusion import NAMED_BOOST
from secbot.knowledge.nearest import Nearest
from secbot.knowledge.passages import Answer, Passage
from secbot.knowledge.retriever import Hit, HybridRetriever
from secbot.knowledge.units import submission_unit

log = logging.getLogger(__name__)

REFUSAL = (
    "I found nothing in the sources you can see that answers that. Try rephrasing, or browse "
    "with `objectives`, `threats` or `contacts` (each takes a topic, e.g. `threats cyber`)."
)


NEVER_TO_LLM = {"RED", "AMBER+STRICT"}
"""Labels whose text never leaves this process for a model provider: such questions are
answered extractively."""


def with_sources(answer: Answer, passages: Sequence[Passage]) -> Answer:
    """The model's text, then each passage it cites ([n] is the passage's number) with its
    citation, then the label of every submission the model was given, cited or not: a model
    can quote one passage and cite another (an instruction planted in a report can make it),
    so the labels shown must not depend on its citations."""
    numbers = [int(n) for n in dict.fromkeys(re.findall(r"\[(\d+)\]", answer.text))]
    lines = [f"[{n}] {passages[n - 1].citation}" for n in numbers if 1 <= n <= len(passages)]
    labelled = [p for p in passages if p.public_id and p.tlp]
    text = answer.text
    if lines:
        text += "\n\nSources:\n" + "\n".join(lines)
    if labelled:
        strictest = max((TLP(str(p.tlp)) for p in labelled), key=list(TLP).index)
        given = ", ".join(f"{p.public_id} TLP:{p.tlp}" for p in labelled)
        text += f"\n\nTLP:{strictest.value}: written from passages that include {given}."
    if text == answer.text:
        return answer
    return Answer(text, answer.citations, answer.found)


_KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("objective", re.compile(r"\b(objectives?|goals?|targets?|indicators?)\b", re.I)),
    ("threat", re.compile(r"\b(threats?|risks?|register)\b", re.I)),
    (
        "contact",
        re.compile(r"\b(contacts?|who (?:do|should|can) i (?:contact|call|reach|ask))\b", re.I),
    ),
)


def named_kinds(question: str) -> list[str]:
    """Register kinds the question asks for by name ("objectives on drugs", "who do I contact")."""
    return [kind for kind, pattern in _KIND_WORDS if pattern.search(question)]


LISTING = re.compile(
    r"^\s*(?:what|which|list|show|name)(?:\s+(?:are|is|me))?(?:\s+(?:the|all))?\s+"
    r"(?:(?:regional|common|main|key|strategic|agreed)\s+)*"
    r"(threats|objectives|contacts)\b(?P<rest>.*)$",
    re.I,
)
_FILLER = re.compile(
    r"\b(does|do|did|the|model|list|lists|listed|name|names|cover|covers|have|has|are|is|"
    r"there|agreed|in|of|on|about|for|to|we|our|it|its|main|key)\b|[?.!,]",
    re.I,
)


def listing(question: str) -> tuple[str, str] | None:
    """("threats", topic) when a question is really a listing ("what threats does the model
    list?", "which objectives cover drugs?"): a verb answers those better than passages."""
    match = LISTING.match(question)
    if match is None:
        return None
    topic = " ".join(_FILLER.sub(" ", match.group("rest")).split())
    return match.group(1).lower(), topic


def displayed(text: str, meta: dict[str, Any]) -> str:
    """The paragraph as a reader sees it: the indexed text less its context header (the
    document, symbol, section and paragraph number put there for BM25 and the embeddings)."""
    if meta.get("display"):
        return str(meta["display"])
    header = str(meta.get("header") or "")
    if header and text.startswith(header):
        return text[len(header) :].lstrip()
    return text


def lead_named(named: Sequence[Passage], rest: Sequence[Passage]) -> list[Passage]:
    """Entries of a register kind the question names, in their order, each ahead of every
    other passage it scores within NAMED_BOOST of: naming a kind lifts it as naming a document
    does, but "threats to peace" in a question about a Council text does not put a register
    entry scoring half as well ahead of the paragraph that answers (issue 11)."""
    out: list[Passage] = []
    others = list(rest)
    for entry in named:
        while others and others[0].score > entry.score + NAMED_BOOST:
            out.append(others.pop(0))
        out.append(entry)
    return [*out, *others]


class LLM(Protocol):
    def answer(self, question: str, passages: Sequence[Passage]) -> Answer: ...


def recheck(session: Session, scope: Scope, hits: Sequence[Hit]) -> list[Passage]:
    """Regional hits pass as they are; a submission hit passes only if SQL, read now, still
    permits it, and then its text is taken from SQL rather than from the index."""
    passages: list[Passage] = []
    for hit in hits:
        meta: dict[str, Any] = hit.metadata
        public_id = meta.get("public_id")
        if meta.get("kind") in ("incident", "state_threat"):
            if not public_id or scope.sees_nothing:
                continue
            row = session.scalar(
                select(Submission).where(
                    Submission.public_id == str(public_id), submission_filter(scope)
                )
            )
            if row is None:
                continue
            current = facts(session, row)  # shares read once: for the check and the citation
            if not permits(scope, current):
                continue
            unit = submission_unit(row, current.grantees)
            if unit is None:
                continue
            passages.append(
                Passage(
                    chunk_id=hit.id,
                    source="report",
                    locator=row.public_id,
                    citation=unit.metadata["citation"],
                    text=unit.text,
                    score=hit.score,
                    kind=str(unit.metadata["kind"]),
                    public_id=row.public_id,
                    owner=row.owner_state,
                    tlp=row.tlp,
                )
            )
        elif meta.get("owner") == "*regional":
            passages.append(
                Passage(
                    chunk_id=hit.id,
                    source=str(meta.get("source", "")),
                    locator=str(meta.get("locator", "")),
                    citation=str(meta.get("citation", "")),
                    # a document is indexed with its context header; the reply shows the text
                    text=displayed(hit.text, meta),
                    score=hit.score,
                    kind=str(meta.get("kind", "document")),
                    card=str(meta["card"]) if meta.get("card") else None,
                    as_of=hit.as_of,
                )
            )
    return passages


class Answering(Protocol):
    """What the engine asks of retrieval: the real Asker, or one still loading (loading.py)."""

    def passages(
        self,
        session: Session,
        principal: Principal,
        question: str,
        kinds: list[str] | None = None,
        k: int | None = None,
    ) -> list[Passage]: ...

    def ask(self, session: Session, principal: Principal, question: str) -> Answer: ...

    def closest(self, query: str, candidates: Mapping[str, str], k: int) -> list[str]: ...


class Asker:
    def __init__(self, retriever: HybridRetriever, llm: LLM | None = None, k: int = 5) -> None:
        self.retriever = retriever
        self.llm = llm
        self.k = k
        self._nearest = Nearest(retriever.embedder)

    def passages(
        self,
        session: Session,
        principal: Principal,
        question: str,
        kinds: list[str] | None = None,
        k: int | None = None,
    ) -> list[Passage]:
        scope = scope_for(principal)
        hits = self.retriever.search(question, retrieval_where(scope), k=k or self.k, kinds=kinds)
        return recheck(session, scope, hits)

    def closest(self, query: str, candidates: Mapping[str, str], k: int) -> list[str]:
        """Keys of `candidates` (key -> text) nearest in meaning to `query`, best first, above
        the topic floor. For a small set the caller has already read through its Scope (the
        register entries offered at filing): no index search, so no `where` to evaluate over
        every indexed report, and one embedding of the query."""
        return self._nearest(query, candidates, k)

    def ranked(self, session: Session, principal: Principal, question: str) -> list[Passage]:
        """Passages for a question; when it names a register kind ("objectives on drugs"),
        the best entries of that kind lead, then the rest by score."""
        passages = self.passages(session, principal, question)
        kinds = named_kinds(question)
        if not kinds:
            return passages
        # Contacts: the asker's own state's desks first, when they answer at all.
        party = principal.party or ""
        own = f"{party} " if "contact" in kinds and party != SECRETARIAT else ""
        named = self.passages(session, principal, question, kinds=kinds, k=2)
        if own:
            mine = self.passages(session, principal, own + question, kinds=kinds, k=1)
            named = [*mine, *(p for p in named if p.chunk_id not in {m.chunk_id for m in mine})]
            named = named[:2]
        ids = {p.chunk_id for p in named}
        return lead_named(named, [p for p in passages if p.chunk_id not in ids])[: self.k]

    def ask(self, session: Session, principal: Principal, question: str) -> Answer:
        passages = self.ranked(session, principal, question)
        shown = [p.public_id for p in passages if p.public_id and p.owner != principal.party]
        if shown:
            rows = session.scalars(select(Submission).where(Submission.public_id.in_(shown)))
            audit.record_reads(session, principal, list(rows))
        if not passages:
            return Answer(REFUSAL, (), found=False)
        if self.llm is not None and not any(p.tlp in NEVER_TO_LLM for p in passages):
            try:
                return with_sources(self.llm.answer(question, passages), passages)
            except Exception as error:  # the extractive answer is always available
                log.warning("LLM unavailable, answering extractively: %s", error)
        return extractive.answer(question, passages, REFUSAL)
