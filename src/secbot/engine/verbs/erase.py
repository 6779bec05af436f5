"""`erase ID`: the owner state's focal points and admins erase one of its reports for good,
after a confirm button (docs/decisions/0024)."""

from __future__ import annotations

from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Button, Reply, rows
from secbot.engine.verbs.reports import take_id
from secbot.rights import service

USAGE = "erase ID, e.g. erase BRB-0007"
CONFIRM = "confirm"


def erase(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("erase a report")
    public_id, rest = take_id(args, USAGE)
    if rest.strip().lower() not in ("", CONFIRM):
        raise InvalidInput(f"Usage: {USAGE}")
    submission = service.erasable(ctx.session, ctx.principal, public_id)
    pid = submission.public_id
    if rest.strip().lower() != CONFIRM:
        text = (
            f"Erase {pid} for good? Its text, timeline, links and shares are removed everywhere "
            "secbot keeps them (index, queued messages, briefs), and states it was shared with "
            "will no longer find it. This cannot be undone; only a record that it was erased "
            "(who, when, a fingerprint of the content) is kept."
        )
        return [Reply(text, buttons=rows([Button(f"Erase {pid}", f"/erase {pid} {CONFIRM}")]))]
    erased = service.erase_one(ctx.session, ctx.principal, pid)
    return [
        Reply(
            f"Erased {erased.public_id}. The audit log keeps who erased it and when, with the "
            f"SHA-256 of what was erased: {erased.sha256}."
        )
    ]
