"""The quoting rule (decision 0009): an alert may name or copy only what every party of its
audience may read.

- A report id counts however it is written: NFKC-normalised, invisible characters removed,
  confusable letters folded by Unicode's TR39 skeleton (ICU's SpoofChecker), with any
  separator or none (`JAM-0001`, `JAM 0001`, `JAM0001`, a Cyrillic `JАM-0001`), and in
  every short spelling the chat itself opens (`JAM 7`, `jam7`, `JAM - 7`, any script's
  digits). An id may be quoted only if a room holding every party could see it: shared
  with all, CLEAR or GREEN.
  Unknown ids and private ids get the same answer, so the check reveals nothing.
- A run of QUOTE_WORDS words copied from a submission that some party of the audience may not
  read is refused, so the text of a report shared only with the secretariat cannot be pasted
  into an alert to all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache

import icu
from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import reads
from secbot.access.principal import SECRETARIAT
from secbot.access.scope import GROUP_TLPS, Scope, permits
from secbot.db.models import Incident, State, Submission, ThreatEntry
from secbot.db.report_extras import ReportUpdate, ResponseEntry
from secbot.domain.enums import AudienceKind

QUOTE_WORDS = 8
_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9])([A-Zl]{3})"  # a state code in skeleton form (I folds to l)
    r"(?:(?:-[^A-Za-z0-9]{0,2}([Ol0-9]{1,7})"  # with a dash, any number: JAM-7
    r"|[^A-Za-z0-9]{0,3}([Ol0-9]{4,7})"  # otherwise, an id's four digits: JAM 0001
    r"|[^A-Za-z0-9]{0,3}T([Ol0-9]{1,7}))"  # a register entry, any separator: JAM-T01, JAM T1
    r"(?![0-9])"
    # and every spelling the chat itself opens as an id (domain.ids): JAM 7, jam7, JAM - 7
    r"|(?:\s*[-_.]\s*|\s+)?(T?)([Ol0-9]{1,6})(?![A-Za-z0-9]))"
)
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u2043\u30fc]")
_WORD = re.compile(r"\w+")


@cache
def _checker() -> icu.SpoofChecker:
    return icu.SpoofChecker()


def visible_form(text: str) -> str:
    """What a reader sees: compatibility forms folded (NFKC), dashes made one dash, digits of
    any script made ASCII, and the characters that show nothing (joiners, soft hyphens, format
    marks) removed."""
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", text))
    return "".join(_ascii_digit(ch) for ch in text if unicodedata.category(ch) != "Cf")


def _ascii_digit(ch: str) -> str:
    """A decimal digit of any script as its ASCII digit (the chat reads `BRB-१` as BRB-0001;
    the skeleton would make Devanagari one an Arabic-Indic nine)."""
    return str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch


def skeleton(text: str) -> str:
    """TR39 skeleton of the upper-cased visible form: confusables (Cyrillic А, Greek Α,
    digit-like letters) become one prototype."""
    return str(_checker().getSkeleton(0, visible_form(text).upper()))


def _number(digits: str) -> int:
    return int(digits.translate(str.maketrans("Ol", "01")))


def referenced_ids(text: str, state_codes: Iterable[str]) -> list[str]:
    """Report ids the text names, in canonical form (`JAM-0001`, a register entry `JAM-T01`),
    however they are written."""
    codes = {skeleton(code): code for code in state_codes}
    found: list[str] = []
    for match in _REFERENCE.finditer(skeleton(text)):
        code = codes.get(match.group(1))
        lenient = match.group(6)
        digits = match.group(2) or match.group(3) or (lenient if not match.group(5) else None)
        entry = match.group(4) or (lenient if match.group(5) else None)
        number = entry or digits
        if code is not None and number:
            if entry:
                canonical = f"{code}-T{_number(number):02d}"
            else:
                canonical = f"{code}-{_number(number):04d}"
            if canonical not in found:
                found.append(canonical)
    return found


def everyone_scope(session: Session) -> Scope:
    """What a room holding every party may see: the bar for any id an alert names."""
    states = select(State.code).where(State.kind == "state")
    parties = frozenset(session.scalars(states)) | {SECRETARIAT}
    return Scope(parties, GROUP_TLPS)


def audience_scope(session: Session, kind: AudienceKind, states: Iterable[str]) -> Scope:
    """What every party an alert for this audience may reach is allowed to read in a room."""
    if kind is AudienceKind.ALL:
        return everyone_scope(session)
    if kind is AudienceKind.SECRETARIAT:
        return Scope(frozenset({SECRETARIAT}), GROUP_TLPS)
    return Scope(frozenset(states) | {SECRETARIAT}, GROUP_TLPS)  # partners named here included


def quoting_problem(session: Session, text: str) -> str | None:
    """An alert may name only regional knowledge or reports shared with all (CLEAR/GREEN)."""
    public_id = _named_out_of_scope(session, text, everyone_scope(session))
    if public_id is None:
        return None
    return (
        f"{public_id} is not a report shared with all states (TLP:CLEAR or GREEN), so "
        "an alert cannot quote it, however the id is written. Ask its owner to share "
        "it with all, or leave it out; if you meant something else, such as a year, "
        "write it another way."
    )


def _named_out_of_scope(session: Session, text: str, scope: Scope) -> str | None:
    """The first report id in the text that the audience may not read (a partner room is not
    reached by `all`, so a report shared with all is still out of its reach)."""
    codes = list(session.scalars(select(State.code)))
    for public_id in referenced_ids(text, codes):
        row = session.scalar(select(Submission).where(Submission.public_id == public_id))
        if row is None or not permits(scope, reads.facts(session, row)):
            return public_id
    return None


def _words(text: str) -> list[str]:
    return _WORD.findall(skeleton(text).casefold())


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - QUOTE_WORDS + 1):
        yield tuple(words[start : start + QUOTE_WORDS])


def _submission_texts(session: Session) -> Iterator[tuple[Submission, str]]:
    for row, title, body in session.execute(
        select(Submission, Incident.title, Incident.description).join(
            Incident, Incident.submission_id == Submission.id
        )
    ):
        yield row, f"{title}\n{body}"
    for row, title, body in session.execute(
        select(Submission, ThreatEntry.title, ThreatEntry.description).join(
            ThreatEntry, ThreatEntry.submission_id == Submission.id
        )
    ):
        yield row, f"{title}\n{body}"
    # A report's timeline and co-ordination log are part of it: read as far as it is.
    for table in (ReportUpdate, ResponseEntry):
        for row, body in session.execute(
            select(Submission, table.body).join(table, table.submission_id == Submission.id)
        ):
            yield row, body


def copied_text_problem(
    session: Session, text: str, kind: AudienceKind, states: Iterable[str]
) -> str | None:
    """A run of QUOTE_WORDS words taken from a submission some party of the audience may not
    read. Says which report only when the audience may read it... which it may not: so never."""
    scope = audience_scope(session, kind, states)
    named = _named_out_of_scope(session, text, scope)
    if named is not None:
        return (
            f"{named} is not a report every party this alert reaches may read, so the alert "
            "cannot name it. Leave it out or narrow the audience."
        )
    wanted = set(_runs(_words(text)))
    if not wanted:
        return None
    for row, source in _submission_texts(session):
        if wanted.isdisjoint(_runs(_words(source))):
            continue
        if not permits(scope, reads.facts(session, row)):
            return (
                f"Part of the message ({QUOTE_WORDS} or more words in a row) is copied from a "
                "submission that not everyone this alert reaches may read. Say it in your own "
                "words, without the details only some may see, or narrow the audience."
            )
    return None
