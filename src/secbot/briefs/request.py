"""Reading what someone asked for: `month`, `quarter JAM,TTO`, `JAM 30d`... into a period and a
list of known state codes, with a reply that says how to ask when a word is not understood."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from secbot.briefs.period import USAGE, WORDS, Period
from secbot.domain.errors import InvalidInput
from secbot.identity.states import list_states

USAGE_LINE = "Try `brief`, `brief month` or `brief quarter JAM,TTO` (" + USAGE + ")."
MAX_WORDS = 20


@dataclass(frozen=True)
class BriefRequest:
    period: Period
    states: tuple[str, ...] | None


def parse_states(session: Session, text: str) -> tuple[str, ...] | None:
    """`JAM,TTO` or `jam tto`; None when empty. Unknown codes are refused, not ignored, so a
    typo never yields a brief that silently covers nothing."""
    words = [w for w in re.split(r"[\s,;]+", text.strip().upper()) if w]
    if not words:
        return None
    known = {s.code for s in list_states(session)}
    unknown = [w for w in words if w not in known]
    if unknown:
        shown = ", ".join(w[:12] for w in unknown[:3])
        raise InvalidInput(
            f"I don't know the state code {shown}. Known codes: {', '.join(sorted(known))}."
        )
    return tuple(sorted(set(words)))


def parse_request(session: Session, text: str) -> BriefRequest:
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"That is more than I can read. {USAGE_LINE}")
    periods = [w for w in words if w.lower() in WORDS and not w.isdigit()]
    if len(periods) > 1:
        raise InvalidInput(f"Name one period, not {len(periods)}. {USAGE_LINE}")
    period = WORDS[periods[0].lower()] if periods else Period.WEEK
    rest = [w for w in words if w not in periods]
    try:
        states = parse_states(session, " ".join(rest))
    except InvalidInput as error:
        raise InvalidInput(f"{error.message} {USAGE_LINE}") from None
    return BriefRequest(period, states)
