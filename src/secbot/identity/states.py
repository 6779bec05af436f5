"""Member states: preloaded from knowledge/, and added by the secretariat admin."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.db.models import State
from secbot.domain.errors import InvalidInput

CODE = re.compile(r"^[A-Z]{3}$")


def add_state(session: Session, code: str, name: str, *, by: str) -> State:
    code = code.strip().upper()
    if not CODE.match(code):
        raise InvalidInput("A state code is its ISO 3166-1 alpha-3 code: three letters, e.g. BRB.")
    if not name.strip():
        raise InvalidInput("Give the state's name, e.g. secbot admin state add BRB Barbados")
    if session.get(State, code) is not None:
        raise InvalidInput(f"{code} already exists.")
    state = State(code=code, name=name.strip())
    session.add(state)
    audit.record(session, None, "state_added", actor=by, state=code)
    return state


def list_states(session: Session) -> list[State]:
    return list(session.scalars(select(State).order_by(State.code)))
