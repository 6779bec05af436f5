"""What the one-line report understood, said back with a button to fix each guess, and the
question those buttons ask (`edit ID when` / `edit ID where` with nothing after).

Examples and place buttons come from the filer's own state's gazetteer: a Barbados focal point
is never offered a harbour in Saint Vincent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from secbot.db.models import State, Submission
from secbot.domain.places import GazetteerPlace, PlaceFound
from secbot.domain.when import show_time, zone_label
from secbot.domain.when_phrases import WhenFound
from secbot.engine.context import Context
from secbot.engine.messages import Button, Reply, rows
from secbot.engine.render.reports import where as shown_where
from secbot.registers.places import places_of

WHEN_CHOICES = ("now", "1 hour ago", "this morning", "last night", "yesterday")
PLACE_BUTTONS = 6
HINT_KINDS = ("harbour", "port", "bay", "marina")


@dataclass(frozen=True)
class Understood:
    category: str
    severity: str
    when: WhenFound | None
    place: PlaceFound


def filed(
    ctx: Context, submission: Submission, got: Understood, places: tuple[GazetteerPlace, ...]
) -> Reply:
    pid = submission.public_id
    incident = submission.incident
    assert incident is not None
    at = show_time(incident.occurred_at, ctx.zone)
    if got.when is None:
        when = f"now, {at} (no time in your message)"
    else:
        about = "about " if got.when.approximate else ""
        when = f"{got.when.said} → {about}{at}"
    if not got.place.text:
        where = "not given (no place in your message)"
    elif got.place.place is None and got.place.lat is None:
        where = (
            f"{got.place.text} (not in my list of places for {_state_name(ctx)}: no coordinates)"
        )
    else:
        where = shown_where(incident)
    text = (
        f"Filed {pid} · TLP:{submission.tlp} (only your state sees it).\n"
        f"I understood:\n• category: {got.category}\n• severity: {got.severity}\n"
        f"• when: {when}\n• where: {where}\n"
        f"Wrong? Tap to fix, or type e.g. `edit {pid} where {hint_place(places, got.place)}`"
    )
    buttons = [
        Button("Change when", f"/edit {pid} when"),
        Button("Change where", f"/edit {pid} where"),
        Button("Change category", f"/edit {pid} category"),
        Button("Change severity", f"/edit {pid} severity"),
        Button("Change TLP", f"/edit {pid} tlp"),
    ]
    return Reply(text, rows(buttons))


def hint_place(places: tuple[GazetteerPlace, ...], found: PlaceFound | None = None) -> str:
    """A place of the filer's own state to show in examples, other than the one understood."""
    others = [p for p in places if found is None or p.name != found.name]
    for place in others:
        if place.kind in HINT_KINDS:
            return f"near {place.name}"
    return f"near {others[0].name}" if others else "near the main port"


def ask_fix(ctx: Context, submission: Submission, field: str) -> Reply:
    """`edit ID when` or `edit ID where` alone: ask, with quick answers as buttons."""
    pid = submission.public_id
    incident = submission.incident
    assert incident is not None
    if field == "when":
        label = zone_label(ctx.now.astimezone(ctx.zone))
        text = (
            f"When did {pid} happen? Now it says {show_time(incident.occurred_at, ctx.zone)}.\n"
            f"Tap one, or type e.g. `edit {pid} when yesterday 14:30` (your time, {label})."
        )
        buttons = [Button(w.capitalize(), f"/edit {pid} when {w}") for w in WHEN_CHOICES]
        return Reply(text, rows(buttons, 3))
    places = places_of(ctx.session, submission.owner_state)
    nearest = _nearest(places, incident.latitude, incident.longitude)[:PLACE_BUTTONS]
    text = (
        f"Where did {pid} happen? Now it says {shown_where(incident)}.\n"
        f"Tap a place, or type e.g. `edit {pid} where {hint_place(places)}`."
    )
    # the shortest spelling: Telegram keeps 64 bytes of a button's data
    buttons = [Button(p.name, f"/edit {pid} where {min(p.names, key=len)}") for p in nearest]
    buttons.append(Button("Not given", f"/edit {pid} where skip"))
    return Reply(text, rows(buttons))


def _nearest(
    places: tuple[GazetteerPlace, ...], lat: float | None, lon: float | None
) -> list[GazetteerPlace]:
    """Closest first to the place now recorded; the gazetteer's own order when there is none."""
    if lat is None or lon is None:
        return list(places)
    scale = math.cos(math.radians(lat))
    return sorted(places, key=lambda p: (p.lat - lat) ** 2 + ((p.lon - lon) * scale) ** 2)


def _state_name(ctx: Context) -> str:
    state = ctx.session.get(State, ctx.principal.state) if ctx.principal.state else None
    return state.name if state else "your state"
