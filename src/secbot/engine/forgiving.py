"""Input that is nearly right: a bare report id opens the report, a mistyped verb gets a
"did you mean". Only verbs the asker may use are ever suggested, and a bare id goes through
exactly the same handler (and visibility check) as `incident ID`.
"""

from __future__ import annotations

from secbot.access.principal import Principal
from secbot.db.models import State
from secbot.domain.ids import read_id, split_id
from secbot.domain.suggest import closest
from secbot.engine.context import Context
from secbot.engine.messages import Button, Reply, fits, rows
from secbot.engine.registry import VERBS
from secbot.engine.verbs import registers, reports

SHORT = 3
"""A message of at most this many words that starts with a near-miss verb is a typo, not a
question (`reprots`, `threts drugs`); longer free text is still a question."""


def usable_verbs(principal: Principal) -> list[str]:
    """The verbs this principal may use, in the registry's order (what `help` lists)."""
    names = ["help", "start"] if principal.is_member else ["help", "start", "join"]
    names += [v.name for v in VERBS if any(h.shown_to(principal) for h in v.helps)]
    return list(dict.fromkeys(names))


def bare_id(ctx: Context, text: str) -> str | None:
    """The canonical id when the whole message is a report id of a known state (`BRB-0001`,
    `brb-7`, `BRB 7`). Whether such a report exists is not looked at here."""
    body = text[1:] if text.startswith("/") else text
    wanted = read_id(body)
    if wanted is None or ctx.session.get(State, wanted.rsplit("-", 1)[0]) is None:
        return None
    return wanted


def open_bare_id(ctx: Context, public_id: str) -> list[Reply]:
    """Exactly what `incident ID` (or, for a register entry, `threat ID`) would answer."""
    if "-T" in public_id:
        return registers.threat(ctx, public_id)
    return reports.incident(ctx, public_id)


def did_you_mean(ctx: Context, name: str, args: str, slash: bool) -> list[Reply] | None:
    """A suggestion for a mistyped verb, or None when the word is not near any usable verb
    (or the message reads as a question rather than a command)."""
    if not name.isalpha():
        return None
    if not slash and len(args.split()) >= SHORT and split_id(args) is None:
        return None
    near = closest(name, usable_verbs(ctx.principal))
    if not near:
        return None
    shown = " or ".join(f"`{n}`" for n in near)
    tail = f" {args}" if args else ""
    # One tap runs the command: offer it only when one verb is nearest. When two tie (`nshare`:
    # share or unshare?) a wrong tap could share a report, so the person types it instead.
    buttons = (
        [Button(f"{near[0]}{tail}"[:40], f"/{near[0]}{tail}")]
        if len(near) == 1 and fits(f"/{near[0]}{tail}")
        else []
    )
    return [
        Reply(
            f"I don't know “{name[:30]}”. Did you mean {shown}? Send `help` for everything "
            "I can do.",
            rows(buttons, 1),
        )
    ]
