"""export [json|csv|stix]: the member's own party's data (a state's, or a partner's own
observations) as a file, in a direct message only.
push ID misp: one report the owner chooses, sent to the configured MISP instance."""

from __future__ import annotations

from secbot.domain.errors import InvalidInput
from secbot.engine.context import Context
from secbot.engine.messages import Attachment, Button, Reply
from secbot.engine.verbs.reports import take_id
from secbot.interchange import misp
from secbot.interchange.export import export_for
from secbot.interchange.render import Format, render


def export(ctx: Context, args: str) -> list[Reply]:
    fmt = Format.read(args)
    ctx.require_direct("export your state's data")
    result = export_for(ctx.session, ctx.principal, fmt.value)
    made = render(ctx.session, result, fmt)
    caption = f"{result.state} export ({fmt.value}): every row keeps its TLP label"
    text = (
        f"Everything {result.state} submitted: {len(result.reports)} reports with their "
        f"timelines, co-ordination logs, links and share history, {len(result.threats)} "
        f"register entries of its own, and {len(result.reads)} reads by other parties. Nothing "
        "another party shared with you is in it. The file keeps each row's TLP label."
    )
    return [Reply(text, attachments=(Attachment(made.filename, made.mime, made.data, caption),))]


PUSH_USAGE = "push ID misp, e.g. push BRB-0007 misp"


def push(ctx: Context, args: str) -> list[Reply]:
    public_id, rest = take_id(args, PUSH_USAGE)
    words = rest.lower().split()
    if not words or words[0] != "misp" or words[1:] not in ([], ["confirm"]):
        raise InvalidInput(f"Usage: {PUSH_USAGE}. MISP is the only place I push to.")
    ctx.require_direct("push a report")
    outcome = misp.push_report(
        ctx.session, ctx.principal, public_id, confirmed=words[1:] == ["confirm"]
    )
    if outcome.needs_confirmation:
        again = f"push {outcome.public_id} misp confirm"
        return [
            Reply(
                outcome.message,
                ((Button("Push to MISP", again), Button("Cancel", "cancel")),),
            )
        ]
    return [Reply(outcome.message)]
