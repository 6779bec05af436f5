"""Which time zone a member reads times in: their own choice, else their state's, else UTC.

Names are IANA zones (America/Barbados), read case-insensitively; a wrong name gets the nearest
real one as a suggestion. UTC is a choice like any other (`timezone utc`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from secbot.access.principal import Principal
from secbot.db.models import Member, State
from secbot.domain.errors import InvalidInput
from secbot.domain.zones import zone_named


@dataclass(frozen=True)
class ZoneChoice:
    name: str
    """An IANA name, or "UTC"."""
    source: str
    """"yours" (set with `timezone`), "state" (the state's default) or "default" (UTC)."""

    @property
    def zone(self) -> tzinfo:
        return zone_named(self.name)


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Lowercase -> canonical, for Region/City zones and UTC."""
    names = {n.lower(): n for n in available_timezones() if "/" in n and not n.startswith("Etc")}
    names["utc"] = "UTC"
    return names


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """The last part of each zone ("barbados", "port_of_spain"); America wins a tie."""
    cities: dict[str, str] = {}
    for name in sorted(_names().values(), key=lambda n: n.startswith("America/")):
        cities[name.rsplit("/", 1)[-1].lower()] = name
    return cities


def canonical(text: str) -> str | None:
    return _names().get(text.strip().replace(" ", "_").lower())


def suggest(text: str) -> str | None:
    key = text.strip().replace(" ", "_").lower()
    if key in _cities():
        return _cities()[key]
    close = difflib.get_close_matches(key, list(_names()), n=1, cutoff=0.75)
    if close:
        return _names()[close[0]]
    close = difflib.get_close_matches(key.rsplit("/", 1)[-1], list(_cities()), n=1, cutoff=0.75)
    return _cities()[close[0]] if close else None


def choice_for(session: Session, principal: Principal) -> ZoneChoice:
    member = session.get(Member, principal.member_id) if principal.member_id else None
    if member is not None and member.timezone:
        return ZoneChoice(member.timezone, "yours")
    state = session.get(State, principal.state) if principal.state else None
    if state is not None and state.timezone:
        return ZoneChoice(state.timezone, "state")
    return ZoneChoice("UTC", "default")


def zone_for(session: Session, principal: Principal) -> tzinfo:
    """The zone times are shown in to this principal; UTC for strangers."""
    if principal.member_id is None:
        return UTC
    return choice_for(session, principal).zone


def set_zone(session: Session, principal: Principal, text: str) -> ZoneChoice:
    """`default` forgets the member's own choice; anything else must be a real zone."""
    member = session.get(Member, principal.member_id) if principal.member_id else None
    if member is None:
        raise InvalidInput("Only members can set a time zone. Send `help` to see how to join.")
    if text.strip().lower() in ("default", "reset", "state"):
        member.timezone = None
        return choice_for(session, principal)
    name = canonical(text)
    if name is None:
        hint = suggest(text)
        shown = text.strip()[:60]
        did_you = f" Did you mean `timezone {hint}`?" if hint else ""
        raise InvalidInput(
            f"I don't know the time zone “{shown}”.{did_you} Zones are written like "
            "America/Barbados or America/Jamaica; `timezone utc` shows UTC, "
            "`timezone default` goes back to your state's."
        )
    member.timezone = name
    return ZoneChoice(name, "yours")
