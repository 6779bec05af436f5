"""link, unlink, update: a report's links to the threat register and its timeline."""

from __future__ import annotations

from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.verbs.registers import threat_code
from secbot.engine.verbs.reports import take_id
from secbot.reports import links, updates
from secbot.reports.incidents import owned_for_change


def _id_and_code(ctx: Context, args: str, usage: str) -> tuple[str, str]:
    ctx.require_direct("change a report's links")
    public_id, rest = take_id(args, usage)
    if not rest or len(rest.split()) != 1:
        raise InvalidInput(f"Usage: {usage}")
    return public_id, rest.strip()


def link(ctx: Context, args: str) -> list[Reply]:
    usage = "link ID CODE, e.g. link BRB-0007 RT-05 (`threats` lists the codes)"
    public_id, code = _id_and_code(ctx, args, usage)
    if code.lower() == "skip":  # the Skip button under the suggestions
        owned_for_change(ctx.session, ctx.principal, public_id)
        return [Reply(f"Not linked. You can link it later: link {public_id} CODE")]
    submission, entry, made = links.link(ctx.session, ctx.principal, public_id, threat_code(code))
    pid = submission.public_id
    if not made:
        return [Reply(f"{pid} was already linked to {entry.code} {entry.title}.")]
    return [
        Reply(
            f"Linked {pid} to {entry.code} {entry.title} · TLP:{submission.tlp}. The link is seen "
            f"by whoever may see {pid}. Undo: unlink {pid} {entry.code}"
        )
    ]


def unlink(ctx: Context, args: str) -> list[Reply]:
    usage = "unlink ID CODE, e.g. unlink BRB-0007 RT-05"
    public_id, code = _id_and_code(ctx, args, usage)
    submission = links.unlink(ctx.session, ctx.principal, public_id, threat_code(code))
    return [Reply(f"Unlinked {submission.public_id} from {threat_code(code)}.")]


def update(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("update a report")
    usage = "update ID TEXT, e.g. update BRB-0007 Two more crew found safe"
    public_id, rest = take_id(args, usage)
    i = ctx.inbound
    key = f"msg:{i.platform}:{i.workspace}:{i.message_key}" if i.message_key else None
    submission, _, _ = updates.add_update(ctx.session, ctx.principal, public_id, rest, ctx.now, key)
    pid = submission.public_id
    return [Reply(f"Added an update to {pid} · TLP:{submission.tlp}. Its timeline: incident {pid}")]
