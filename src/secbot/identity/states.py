"""Member states: preloaded from knowledge/, and added by the secretariat admin."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.db.models import State
from secbot.domain.errors import InvalidInput
from secbot.domain.suggest import closest

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
    """Member states only: partner organisations share the table, never the name."""
    return list(session.scalars(select(State).where(State.kind == "state").order_by(State.code)))


def get_state(session: Session, code: str) -> State | None:
    """A member state by code; None for unknown codes and for partners."""
    state = session.get(State, code)
    return state if state is not None and state.kind == "state" else None


# Reading state names as people type them: `jamaica`, `St. Lucia`, `trinidad & tobago`.

_WORDS_NOT_NAMES = frozenset({"and", "the", "of", "islands", "republic"})
_LONGEST_NAME = 6
"""Words in the longest name a member may type (`saint vincent and the grenadines`)."""


def _normal(text: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", text.lower().replace("&", " and ")).split()
    words = ["saint" if w in ("st", "ste") else w for w in words]
    return " ".join(w for w in words if w != "the")


COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "VCT": ("svg", "vincy"),
    "TTO": ("t and t", "tnt"),
    "KNA": ("skn", "st kitts nevis"),
    "ATG": ("a and b",),
}
"""Short forms people in the region use that no rule derives from the name (used only for
codes that are registered)."""


def name_index(session: Session) -> dict[str, tuple[State, ...]]:
    """Every way of naming a state, normalised, to the states it may mean: the code, the full
    name (with or without `and`), its leading words (`saint vincent`), each distinctive word
    (`trinidad`, `tobago`, `kitts`; `saint` means three states, so it is ambiguous), and the
    common short forms above (`svg`, `t&t`)."""
    index: dict[str, list[State]] = {}
    for state in list_states(session):
        full = _normal(state.name)
        words = full.split()
        keys = {state.code.lower(), full, full.replace(" and ", " ")}
        keys |= {" ".join(words[:n]) for n in range(2, len(words))}
        keys |= {w for w in words if len(w) >= 4 and w not in _WORDS_NOT_NAMES}
        keys |= {_normal(alias) for alias in COMMON_NAMES.get(state.code, ())}
        for key in keys:
            index.setdefault(key, []).append(state)
    return {k: tuple(v) for k, v in index.items()}


def read_state_name(session: Session, words: list[str]) -> tuple[tuple[State, ...], int]:
    """The states the first words name, longest phrase first, and how many words that took;
    ((), 0) when they name none. More than one state: the name is ambiguous."""
    index = name_index(session)
    for size in range(min(_LONGEST_NAME, len(words)), 0, -1):
        found = index.get(_normal(" ".join(words[:size])))
        if found:
            return found, size
    return (), 0


def near_state_names(session: Session, word: str) -> list[State]:
    """States whose name or code a mistyped word is close to (`jamiaca`)."""
    index = name_index(session)
    found: list[State] = []
    for key in closest(_normal(word), list(index), limit=5):
        found += [s for s in index[key] if s not in found]
    return found


def describe_states(states: tuple[State, ...] | list[State]) -> str:
    names = [f"{s.code} ({s.name})" for s in states]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
