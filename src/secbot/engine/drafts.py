"""A member's one open form (report or alert), stored so a restart loses nothing they typed."""

from __future__ import annotations

import secrets

from secbot.db.models import Draft
from secbot.engine.context import Context


def current(ctx: Context, flow: str | None = None) -> Draft | None:
    """The open draft, or None; with `flow`, only a draft of that form."""
    if ctx.principal.member_id is None:
        return None
    draft = ctx.session.get(Draft, ctx.principal.member_id)
    return draft if draft is not None and flow in (None, draft.flow) else None


def resume_or_start(ctx: Context, flow: str, first_step: str) -> tuple[Draft, bool]:
    """(draft, resumed): an open draft of this form continues; one of another form is replaced."""
    draft = current(ctx)
    if draft is not None and draft.flow == flow:
        return draft, True
    if draft is not None:
        ctx.session.delete(draft)
        ctx.session.flush()
    assert ctx.principal.member_id is not None
    draft = Draft(
        member_id=ctx.principal.member_id,
        flow=flow,
        step=first_step,
        data={"nonce": secrets.token_hex(8)},
    )
    ctx.session.add(draft)
    return draft, False
