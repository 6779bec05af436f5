"""more: the next page of the last long list (typed), or of the list a More button belongs to."""

from __future__ import annotations

from collections.abc import Callable

from secbot.domain.errors import InvalidInput
from secbot.engine import paging
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.verbs import alerts, registers, reports

Pager = Callable[[Context, str, int], list[Reply]]

PAGERS: dict[str, Pager] = {
    "reports": reports.reports,
    "mine": reports.mine,
    "threats": registers.threats,
    "objectives": registers.objectives,
    "contacts": registers.contacts,
    "alerts": alerts.list_alerts,
}
NOTHING = (
    "There is no list to continue. `more` shows the next page of a long list such as "
    "`threats`, `reports`, `objectives`, `contacts` or `alerts`."
)


def more(ctx: Context, args: str) -> list[Reply]:
    """`more` continues the last list; `more VERB OFFSET [ARGS]` (a More button) a given one.
    Either way the page is computed now, for this chat, under its visibility rule."""
    if not args.strip():
        cursor = paging.recall(ctx)
        if cursor is None or cursor.verb not in PAGERS:
            return [Reply(NOTHING)]
    else:
        cursor = _cursor(args)
    return PAGERS[cursor.verb](ctx, cursor.args, cursor.offset)


def _cursor(args: str) -> paging.Cursor:
    parts = args.split(maxsplit=2)
    verb = parts[0].lower()
    offset = parts[1] if len(parts) > 1 else ""
    if verb not in PAGERS or not (offset.isascii() and offset.isdigit()) or len(offset) > 6:
        raise InvalidInput(f"Send `more` alone to see the next page of a list. {NOTHING}")
    return paging.Cursor(verb, parts[2] if len(parts) > 2 else "", int(offset))
