"""Property: an alert goes to a room only if everyone the room may hold was addressed.

The oracle is written from decision 0009's text, not from the code: a room registered for `all`
holds every state (including states that join later), a secretariat room holds the secretariat,
a states room holds its states; every room also holds the parties seen speaking in it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from secbot.access.principal import SECRETARIAT
from secbot.alerts.audience import room_fits
from secbot.db.models import Channel

STATES = ["ATG", "BRB", "JAM", "TTO", "LCA"]
PARTNERS = {"CDEMA", "UWIMONA"}
"""Non-state parties (decision 0023): `all` never addresses them; only naming them does."""
ANY_FUTURE_STATE = "*future"

parties = st.sets(st.sampled_from([*STATES, SECRETARIAT, *sorted(PARTNERS)]), max_size=3)
state_sets = st.sets(st.sampled_from([*STATES, *sorted(PARTNERS)]), min_size=1, max_size=3)


@st.composite
def rooms(draw: st.DrawFn) -> Channel:
    kind = draw(st.sampled_from(["all", "secretariat", "states"]))
    states = sorted(draw(state_sets)) if kind == "states" else []
    everyone = {*STATES, SECRETARIAT}
    registered = {"all": everyone, "secretariat": {SECRETARIAT}}.get(kind, set(states))
    return Channel(
        platform="telegram",
        chat_id="-1",
        audience_kind=kind,
        audience_states=states,
        # Only parties the registration left out are ever noted as seen (note_party_in_channel).
        seen_parties=sorted(draw(parties) - registered),
        tags=[],
    )


def holds(room: Channel) -> set[str]:
    base = {
        "all": {*STATES, SECRETARIAT, ANY_FUTURE_STATE},
        "secretariat": {SECRETARIAT},
        "states": set(room.audience_states),
    }[room.audience_kind]
    return base | set(room.seen_parties)


def addressed(kind: str, states: list[str]) -> set[str] | None:
    """None means everyone."""
    if kind == "all":
        return None
    if kind == "secretariat":
        return {SECRETARIAT}
    return {*states, SECRETARIAT}


@given(room=rooms(), kind=st.sampled_from(["all", "secretariat", "states"]), states=state_sets)
def test_a_room_is_chosen_exactly_when_everyone_in_it_was_addressed(
    room: Channel, kind: str, states: set[str]
) -> None:
    wanted = addressed(kind, sorted(states))
    chosen = room_fits(room, kind, sorted(states))
    # Safety: never a room holding someone the alert was not addressed to; `all` addresses
    # every state and the secretariat, never a partner.
    if chosen:
        assert (wanted is None and not holds(room) & PARTNERS) or holds(room) <= (wanted or set())
    # Completeness, as decision 0009 words it: a targeted alert goes to the rooms registered
    # for that kind of audience whose every party was addressed; a room holding a partner
    # only when the audience names its every party.
    if holds(room) & PARTNERS:
        expected = (
            kind == "states" and room.audience_kind == "states" and holds(room) <= (wanted or set())
        )
    else:
        expected = wanted is None or (room.audience_kind == kind and holds(room) <= wanted)
    assert chosen is expected
