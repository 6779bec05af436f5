"""How people type each incident field, parsed once with one polite error per field.

The guided form, the whole-form submit (Slack modal), the one-line report and `edit` all read
their fields through these functions, so a value accepted in one place is accepted in all.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from secbot.domain.enums import TLP, IncidentStatus, Severity
from secbot.domain.errors import InvalidInput
from secbot.domain.places import GazetteerPlace, PlaceFound, read_place
from secbot.domain.taxonomy import CATEGORIES, Category, find_category
from secbot.domain.text import one_line
from secbot.domain.when import parse_when

PLACE_CHARS = 200
TITLE_CHARS = 200
SKIP_WORDS = ("skip", "none", "-", "")


def category(text: str) -> Category:
    found = find_category(text)
    if found is None:
        raise InvalidInput(
            "I don't know that category: please pick one of the category buttons, or type its "
            f"name (e.g. {CATEGORIES[0].label.lower()})."
        )
    return found


def severity(text: str) -> Severity:
    try:
        return Severity(text.strip().lower())
    except ValueError:
        raise InvalidInput("Severity is low, moderate, high or critical.") from None


def what(text: str) -> str:
    value = text.strip()
    if len(value) < 5:
        raise InvalidInput("Please describe what happened in a few words.")
    return value


def title(text: str) -> str:
    value = one_line(text, TITLE_CHARS)
    if len(value) < 3:
        raise InvalidInput("A title needs a few words.")
    return value


def where(text: str) -> str:
    """Optional: `skip` (or nothing) means not given."""
    value = text.strip()
    return "" if value.lower() in SKIP_WORDS else one_line(value, PLACE_CHARS)


def place(text: str, places: tuple[GazetteerPlace, ...]) -> PlaceFound:
    """`where`, then the gazetteer of the reporter's state: a known place gains its region
    and coordinates; anything else is kept as typed."""
    value = where(text)
    return read_place(value, places) if value else PlaceFound("")


def when(text: str, now: datetime, zone: tzinfo | None = None) -> datetime:
    """In the reporter's own zone (UTC when not known)."""
    return parse_when(text.strip() or "now", now, zone or UTC)


def tlp(text: str) -> TLP:
    found = TLP.parse(text)
    if found is None:
        raise InvalidInput("TLP is CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")
    return found


def status(text: str) -> IncidentStatus:
    try:
        return IncidentStatus(text.strip().lower())
    except ValueError:
        names = ", ".join(s.value for s in IncidentStatus)
        raise InvalidInput(f"Status is one of: {names}.") from None
