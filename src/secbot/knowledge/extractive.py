"""The default answerer: no model writes anything. It quotes the sentences of the best permitted
passages that share the most with the question, each with its citation."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from secbot.knowledge.lexical_index import stem
from secbot.knowledge.passages import Answer, Citation, Passage

MAX_PASSAGES = 5
"""Citations printed with an answer (every transport shows what this returns)."""
MAX_QUOTE = 320
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d+")
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(“\"\d])|\n+")
STOP = frozenset(
    """the a an of and or in on for to with about what which who whom how is are was were be
    by do does did can could should would will may might must this that these those it its as
    at from our their there here any all some me my we you your i""".split()
)


def terms(text: str) -> set[str]:
    return {stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in STOP}


_CONTINUED = re.compile(r"^(?:…\s*)?(?:\d{1,2}[.)]\s+)?")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|\([a-z0-9]{1,3}\))\s+")


@dataclass(frozen=True)
class Segment:
    """A sentence, or one item of a list with the line that introduces the list."""

    text: str
    lead: str | None = None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 2]


def segments(text: str, heading: str = "") -> list[Segment]:
    """Sentences of prose; list items stripped of their markers, each tied to its lead-in (the
    line before the list, or else the section heading), so a quoted item never reads `• - ...`."""
    out: list[Segment] = []
    lead: str | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        marker = _ITEM.match(line)
        if marker:
            item = line[marker.end() :].strip().rstrip(";,")
            if len(item) > 2:
                out.append(Segment(item, lead or heading or None))
            continue
        lead = line if line.endswith(":") else None
        if lead is None:
            out.extend(Segment(s) for s in sentences(line))
    return out


def _trim(quote: str, limit: int = MAX_QUOTE) -> str:
    if len(quote) > limit:
        quote = quote[: limit - 1].rsplit(" ", 1)[0] + "…"
    return quote


def _render(parts: list[Segment]) -> str:
    """Prose sentences as they are; consecutive items of one list as `lead item; item.`"""
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.lead is None and not (i == 0 and part.text[:1].islower()):
            out.append(part.text)
            i += 1
            continue
        items = [part.text]
        while i + 1 < len(parts) and parts[i + 1].lead == part.lead and parts[i + 1].lead:
            i += 1
            items.append(parts[i].text)
        body = "; ".join(items).rstrip(".") + "."
        lead = (part.lead or "").rstrip(":")
        out.append(f"{lead}: {body}" if lead else body[:1].upper() + body[1:])
        i += 1
    return " ".join(out)


def _heading(locator: str) -> str:
    """`Table 1 > Political body: strategic direction` reads as `Political body (strategic
    direction)`, to introduce a list item quoted from that section."""
    last = locator.rsplit(" > ", 1)[-1].strip()
    if re.match(r"(?:para|op\.|preamble|annex)\b", last, re.I):
        return ""  # a bare paragraph number introduces nothing
    head, colon, tail = last.partition(": ")
    return f"{head} ({tail})" if colon and tail else last


def best_sentences(question: str, text: str, limit: int = 2, heading: str = "") -> str:
    """Pick the sentences (or list items) richest in the question's terms, keep their order,
    trim to length."""
    wanted = terms(question)
    parts = segments(text, heading)
    if not parts:
        return _trim(text)
    scored = [(len(wanted & terms(p.text)), -i, i) for i, p in enumerate(parts)]
    chosen = sorted(i for _score, _neg, i in sorted(scored, reverse=True)[:limit])
    if all(len(wanted & terms(parts[i].text)) == 0 for i in chosen):
        chosen = [0]
    return _trim(_render([parts[i] for i in chosen]), MAX_QUOTE + 80)


def lead_sentence(question: str, text: str, heading: str = "") -> str:
    """The one sentence (or list item with its lead-in) of a passage that shares most with the
    question: what an answer opens with."""
    return best_sentences(question, text, limit=1, heading=heading)


def _place(locator: str) -> str:
    """A heading path (`Part 2 > Table 1 > Actors`) is cited by its last heading."""
    return locator.rsplit(" > ", 1)[-1].strip()


def _body(passage: Passage) -> str:
    text = passage.text
    if text.startswith(passage.locator):  # Markdown chunks open with their heading path
        text = text[len(passage.locator) :].lstrip()
    return text


def answer(question: str, passages: Sequence[Passage], refusal: str) -> Answer:
    """The best passage's answering sentence first, quoted with its locator (and, for a yearly
    series the question named no version of, the version answered from); then the other
    passages' best sentences; then up to MAX_PASSAGES sources."""
    if not passages:
        return Answer(refusal, (), found=False)
    chosen = list(passages[:MAX_PASSAGES])
    lines = []
    for n, passage in enumerate(chosen, 1):
        label = f" (TLP:{passage.tlp})" if passage.tlp else ""
        text = _body(passage)
        if passage.card:
            quote = passage.card
        elif n == 1 and passage.kind == "document":
            lead = lead_sentence(question, text, _heading(passage.locator))
            as_of = f"As of {passage.as_of}: " if passage.as_of else ""
            lines.append(f"{as_of}“{lead}” ({_place(passage.locator)}){label} [{n}]")
            rest = best_sentences(question, text, heading=_heading(passage.locator))
            rest = rest.replace(lead, "").strip(" ;")
            if len(rest) < 3:
                continue
            quote = rest
        else:
            heading = _heading(passage.locator) if passage.kind == "document" else ""
            quote = best_sentences(question, text, heading=heading)
            # A continued paragraph opens with "… 4." (ingestion): the quote starts at its words.
            quote = _CONTINUED.sub("", quote)
        lines.append(f"• {quote}{label} [{n}]")
    sources = [f"[{n}] {p.citation}" for n, p in enumerate(chosen, 1)]
    text = "\n".join(lines) + "\n\nSources:\n" + "\n".join(sources)
    citations = tuple(Citation(p.source, p.locator, p.text, round(p.score, 4)) for p in chosen)
    return Answer(text, citations, found=True)
