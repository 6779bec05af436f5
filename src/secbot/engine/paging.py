"""Long lists come a page at a time; `more` (typed, or its button) shows the next page.

The cursor is only a verb, its arguments and an offset: the next page is computed afresh, in
the chat where `more` is sent and under that chat's visibility rule, so a cursor can never
carry anything the asker may not see. The button carries the cursor in its payload; for a
typed `more` it is kept in the member's Draft row under the flow `more`, with the chat it was
started in (a typed `more` elsewhere, say in a room after a DM's list, continues nothing), but
only while no form is open (a form's draft is never touched; its button still works).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from secbot.db.models import Draft
from secbot.engine.context import Context
from secbot.engine.messages import Button, fits

FLOW = "more"
T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    verb: str
    args: str
    offset: int


def window(items: Sequence[T], offset: int, size: int) -> tuple[list[T], int | None]:
    shown = list(items[offset : offset + size])
    end = offset + len(shown)
    return shown, (end if end < len(items) else None)


def footer(offset: int, shown: int, total: int, next_offset: int | None) -> str:
    """The line under a page, e.g. `Showing 13–24 of 26. Send `more` for the next page.`;
    empty when the whole list fits on one page."""
    if offset == 0 and next_offset is None:
        return ""
    span = f"Showing {offset + 1}–{offset + shown} of {total}."
    if next_offset is None:
        return f"\n{span} That is the last page."
    return f"\n{span} Send `more` for the next page."


def more_button(cursor: Cursor) -> Button | None:
    """None when the cursor is too long for a button (a long topic): typed `more` still works."""
    payload = f"/more {cursor.verb} {cursor.offset} {cursor.args}".strip()
    return Button("More ▸", payload) if fits(payload) else None


def remember(ctx: Context, verb: str, args: str, next_offset: int | None) -> tuple[Button, ...]:
    """Keep (or clear) the cursor for a typed `more`; the More button for the reply, if any."""
    member_id = ctx.principal.member_id
    if member_id is None:
        return ()
    draft = ctx.session.get(Draft, member_id)
    if draft is not None and draft.flow != FLOW:
        pass  # a form is open: its draft is not ours to change; the button still works
    elif next_offset is None:
        if draft is not None:
            ctx.session.delete(draft)
    else:
        data = {"verb": verb, "args": args, "offset": next_offset, "chat": _chat(ctx)}
        if draft is None:
            ctx.session.add(Draft(member_id=member_id, flow=FLOW, step=verb[:32], data=data))
        else:
            draft.step, draft.data = verb[:32], data
    button = None if next_offset is None else more_button(Cursor(verb, args, next_offset))
    return () if button is None else (button,)


def _chat(ctx: Context) -> str:
    """The chat a typed `more` belongs to: a list is continued only where it was started."""
    i = ctx.inbound
    return f"{i.platform}:{i.workspace}:{i.chat_id}"


def recall(ctx: Context) -> Cursor | None:
    member_id = ctx.principal.member_id
    draft = ctx.session.get(Draft, member_id) if member_id is not None else None
    if draft is None or draft.flow != FLOW:
        return None
    data = dict(draft.data)
    if data.get("chat") != _chat(ctx):
        return None  # a list started in another chat (a DM's, in a room) is not continued here
    try:
        return Cursor(str(data["verb"]), str(data.get("args", "")), int(data["offset"]))
    except (KeyError, TypeError, ValueError):
        return None
