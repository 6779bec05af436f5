"""`timezone`: which zone a member reads times in (theirs, their state's, or UTC)."""

from __future__ import annotations

from secbot.domain.when import show_time
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.identity import zones

_SOURCES = {
    "yours": "you chose it",
    "state": "your state's default",
    "default": "the default; your state has none",
}


def timezone(ctx: Context, args: str) -> list[Reply]:
    """`timezone` shows the zone; `timezone America/Barbados`, `utc` or `default` changes it."""
    if args.strip():
        zones.set_zone(ctx.session, ctx.principal, args)
        ctx.forget_zone()
        choice = zones.choice_for(ctx.session, ctx.principal)
        head = f"Done: I show times in {choice.name} ({_SOURCES[choice.source]})."
    else:
        choice = zones.choice_for(ctx.session, ctx.principal)
        head = f"I show you times in {choice.name} ({_SOURCES[choice.source]})."
    now = show_time(ctx.now, ctx.zone, utc_too=True)
    other = "America/Jamaica" if choice.name == "America/Barbados" else "America/Barbados"
    tail = (
        f"Change it with e.g. `timezone {other}`; `timezone utc` for UTC, "
        "`timezone default` for your state's."
    )
    return [Reply(f"{head}\nIt is now {now}.\n{tail}")]
