"""brief [week|month|quarter|year] [STATES]: a trend brief for this chat, as text plus the chart
and the PDF. Computed under this chat's Scope, so in a group it counts only what every party of
the room may see."""

from __future__ import annotations

from secbot.access.permissions import Action, require
from secbot.access.principal import SECRETARIAT, Principal
from secbot.briefs import Brief, build_brief, render_chart_png, render_message, render_pdf
from secbot.briefs.request import parse_request
from secbot.engine.context import Context
from secbot.engine.messages import Attachment, Reply
from secbot.engine.verbs import brief_subscriptions


def brief_reply(brief: Brief) -> Reply:
    """The chat message with the chart (a PNG) and the PDF attached, named for the period and
    carrying the TLP, so a forwarded file still says how it may be shared."""
    stem = f"brief-{brief.period.value}-{brief.end:%Y%m%d}-TLP-{brief.tlp.value.replace('+', '-')}"
    caption = f"TLP:{brief.tlp.value} trend brief, {brief.span}"
    chart = render_chart_png(brief)
    pdf = render_pdf(brief, chart_png=chart)
    return Reply(
        render_message(brief),
        attachments=(
            Attachment(f"{stem}.png", "image/png", chart, caption),
            Attachment(f"{stem}.pdf", "application/pdf", pdf, caption),
        ),
        reports=brief.counted,
    )


def reader_name(principal: Principal, in_group: bool) -> str:
    party = "the secretariat" if principal.party == SECRETARIAT else principal.party or "?"
    where = ", asked in a group (what every party there may see)" if in_group else ""
    return f"{principal.label} ({party}){where}"


def brief(ctx: Context, args: str) -> list[Reply]:
    if args.strip().split(" ", 1)[0].lower() in brief_subscriptions.WORDS:
        return brief_subscriptions.handle(ctx, args)
    require(ctx.principal, Action.READ_BRIEF)
    request = parse_request(ctx.session, args)
    result = build_brief(
        ctx.session,
        ctx.scope,
        reader=reader_name(ctx.principal, ctx.in_group),
        period=request.period,
        states=request.states,
        now=ctx.now,
        zone=ctx.zone,
    )
    return [brief_reply(result)]
