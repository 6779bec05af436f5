"""The quoting rule: an alert may name only what a room of every party could read.

Unknown ids and private ids get the same answer, so the check reveals nothing (decision 0009).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import reads
from secbot.access.principal import SECRETARIAT
from secbot.access.scope import GROUP_TLPS, Scope, permits
from secbot.db.models import State, Submission

_PUBLIC_ID = re.compile(r"(?<![A-Za-z])[A-Za-z]{3}\s?-\s?\d{4,}(?!\d)", re.ASCII)
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]")


def everyone_scope(session: Session) -> Scope:
    """What a room holding every party may see: the bar for anything an alert quotes."""
    parties = frozenset(session.scalars(select(State.code))) | {SECRETARIAT}
    return Scope(parties, GROUP_TLPS)


def quoting_problem(session: Session, text: str) -> str | None:
    """An alert may quote only regional knowledge or reports shared with all (CLEAR/GREEN)."""
    scope = everyone_scope(session)
    readable = _DASHES.sub("-", unicodedata.normalize("NFKC", text))
    for found in sorted({m.group(0).upper() for m in _PUBLIC_ID.finditer(readable)}):
        found = re.sub(r"\s", "", found)
        row = session.scalar(select(Submission).where(Submission.public_id == found))
        if row is None or not permits(scope, reads.facts(session, row)):
            return (
                f"{found} is not a report shared with all states (TLP:CLEAR or GREEN), so an "
                "alert cannot quote it. Ask its owner to share it with all, or leave it out."
            )
    return None
