"""How an alert's fields are typed, each read by one parser with one polite error.

The chat form checks each answer with these as it is given; `compose.validate` runs them all
at once for `secbot alert send`, so a feed gets exactly the checks a person does.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil import parser as dateparser
from sqlalchemy.orm import Session

from secbot.alerts.quoting import quoting_problem
from secbot.domain.cap import CATEGORY_LABELS, CapCategory, CapEnum
from secbot.domain.enums import AudienceKind
from secbot.domain.errors import InvalidInput
from secbot.domain.text import clean_text, one_line
from secbot.identity.channels import parse_audience as parse_room_audience
from secbot.identity.partners import list_partners

HEADLINE_MAX = 160
BODY_MAX = 3000
MAX_EXPIRY = timedelta(days=30)
_DURATION = re.compile(
    r"^(?:in\s+)?(\d{1,4})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$", re.IGNORECASE
)
_ALERT_ID = re.compile(r"^#?(?:a-?)?(\d{1,9})$", re.IGNORECASE)
NO_WORDS = ("", "none", "never", "no", "skip")


def _plain(text: str, label: str, limit: int) -> str:
    """The chat's own checks (no control or bidi characters), so a feed gets no laxer rules."""
    try:
        value = clean_text(text, max_chars=100_000)
    except InvalidInput:
        raise InvalidInput(
            f"The {label} contains a control character; please send plain text."
        ) from None
    if len(value) > limit:
        raise InvalidInput(f"Keep the {label} under {limit} characters.")
    return value


def headline(session: Session, text: str) -> str:
    value = one_line(_plain(text, "headline", HEADLINE_MAX), 10_000)
    if len(value) < 5:
        raise InvalidInput("The headline needs a few words.")
    _check_quotes(session, value)
    return value


def body(session: Session, text: str) -> str:
    value = _plain(text, "message", BODY_MAX)
    if len(value) < 5:
        raise InvalidInput("The message needs a few words.")
    _check_quotes(session, value)
    return value


def _check_quotes(session: Session, text: str) -> None:
    problem = quoting_problem(session, text)
    if problem:
        raise InvalidInput(problem)


def cap_choice(kind: type[CapEnum], name: str, text: str) -> CapEnum:
    """One CAP vocabulary word (severity, urgency, certainty, category); categories also by
    their label."""
    picked = kind.parse(text)
    if picked is None and kind is CapCategory:
        wanted = text.strip().lower()
        picked = next((c for c, label in CATEGORY_LABELS.items() if label.lower() == wanted), None)
    if picked is None:
        allowed = ", ".join(v.value for v in kind)
        raise InvalidInput(f"{name.capitalize()} is one of: {allowed}.")
    return picked


def audience(session: Session, text: str) -> tuple[AudienceKind, tuple[str, ...]]:
    """The registration rule, with the looser wording a person types (`everyone`, `BRB JAM`).
    `partners` stands for every active partner's code (`all` never includes them), so
    `BRB, partners` reaches the rooms of BRB and of the partners."""
    value = text.strip()
    if value.lower() in ("everyone", "all channels"):
        value = "all"
    words = [w for w in re.split(r"[,\s]+", value) if w]
    if any(w.lower() == "partners" for w in words):
        codes = [p.code for p in list_partners(session)]
        if not codes:
            raise InvalidInput("There are no partner organisations yet, so `partners` names none.")
        words = [c for w in words for c in (codes if w.lower() == "partners" else [w])]
    kind, states = parse_room_audience(session, ",".join(words))
    return kind, tuple(states)


def show_audience(kind: AudienceKind, states: tuple[str, ...]) -> str:
    """The canonical text of an audience, which `audience` reads back to the same value."""
    return ",".join(states) if kind is AudienceKind.STATES else kind.value


def tags(text: str) -> tuple[str, ...]:
    value = text.strip().lower()
    if value in ("", "none", "any", "skip", "no"):
        return ()
    found = sorted({t.lstrip("#") for t in re.split(r"[,\s]+", value) if t.lstrip("#")})
    bad = [t for t in found if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", t)]
    if bad:
        raise InvalidInput(f"Tags are short words (letters, digits, - or _): {', '.join(bad)}.")
    return tuple(found)


def expiry(text: str, now: datetime) -> datetime | None:
    """`none`, a duration (`6h`, `in 2 days`) or a UTC date; at most 30 days ahead."""
    value = text.strip().lower()
    if value in NO_WORDS:
        return None
    match = _DURATION.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)[0].lower()
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount)}.get(
            unit, timedelta(days=amount)
        )
        expires = now + delta
    else:
        try:
            parsed = dateparser.parse(text.strip())
            expires = parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
            expires.utcoffset()  # an offset like +25:00 parses, then fails here
        except (ValueError, OverflowError, TypeError):
            raise InvalidInput(
                "I couldn't read the expiry. Try `6h`, `24 hours`, `3 days`, `none` or a UTC "
                "date like `2026-12-01 18:00`."
            ) from None
    if expires <= now:
        raise InvalidInput("The expiry must be in the future.")
    if expires - now > MAX_EXPIRY:
        raise InvalidInput("An alert can run for at most 30 days; send a new one after that.")
    return expires


def alert_id(text: str) -> int:
    match = _ALERT_ID.match(text.strip())
    if match is None:
        raise InvalidInput("An alert id looks like A-12 (or just 12).")
    return int(match.group(1))
