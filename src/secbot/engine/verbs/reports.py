"""reports, mine, incident, edit, share, unshare: reading and managing submissions."""

from __future__ import annotations

from secbot.access import audit
from secbot.access import reads as submissions
from secbot.access.permissions import Action, require
from secbot.domain.enums import IncidentStatus
from secbot.domain.errors import InvalidInput, NotFound, no_such_report, not_an_id
from secbot.domain.ids import split_id
from secbot.engine import paging
from secbot.engine.context import Context
from secbot.engine.forms import Choice
from secbot.engine.messages import Button, Reply, rows
from secbot.engine.render.report_extras import links_lines, timeline_lines
from secbot.engine.render.reports import (
    field_value,
    incident_detail,
    incident_line,
    share_lines,
    unshare_lines,
)
from secbot.engine.verbs import report_form, report_reply
from secbot.reports import incidents, links, response, sharing, updates

LIST_LIMIT = 20
GROUP_FOOTER = "For anything private to your state, ask me in a direct message."


def _listing(ctx: Context, verb: str, title: str, owner: str | None, offset: int) -> list[Reply]:
    found = submissions.visible(ctx.session, ctx.scope, kind="incident", owner=owner)
    shown, next_offset = paging.window(found, offset, LIST_LIMIT)
    audit.record_reads(ctx.session, ctx.principal, shown)
    buttons = paging.remember(ctx, verb, "", next_offset)
    if not found:
        text = f"{title}: none."
    elif not shown:
        text = f"That was all: {title.lower()} ({len(found)}). Send `{verb}` to start again."
    else:
        text = f"{title} ({len(found)}):\n" + "\n".join(incident_line(s) for s in shown)
        text += paging.footer(offset, len(shown), len(found), next_offset)
        text += "\nOpen one with: incident ID"
    if ctx.in_group:
        text += f"\n{GROUP_FOOTER}"
    return [Reply(text, (buttons,) if buttons else ())]


def reports(ctx: Context, args: str, offset: int = 0) -> list[Reply]:
    if args.strip():
        raise InvalidInput("`reports` takes no arguments. To open one: incident ID")
    return _listing(ctx, "reports", "Reports you can see here", None, offset)


def mine(ctx: Context, args: str, offset: int = 0) -> list[Reply]:
    if args.strip():
        raise InvalidInput("`mine` takes no arguments. To open one: incident ID")
    require(ctx.principal, Action.READ_OWN_STATE)
    assert ctx.principal.owner_party is not None
    return _listing(
        ctx, "mine", f"{ctx.principal.owner_party} reports", ctx.principal.owner_party, offset
    )


def take_id(args: str, usage: str) -> tuple[str, str]:
    """The report id the arguments start with, read leniently (`brb 7` is BRB-0007), and the
    rest. Only the spelling is checked here: whether it may be seen is access/'s question."""
    if not args.strip():
        raise InvalidInput(f"Usage: {usage}")
    found = split_id(args)
    if found is None:
        raise not_an_id(args.split()[0])
    return found


def incident(ctx: Context, args: str) -> list[Reply]:
    usage = "incident ID, e.g. incident BRB-0007"
    public_id, rest = take_id(args, usage)
    if rest:
        raise InvalidInput(f"Usage: {usage}")
    try:
        submission = submissions.get_visible(ctx.session, ctx.scope, public_id)
    except NotFound:
        if ctx.in_group:  # same words whether it exists, is private, or is another state's
            raise NotFound(
                f"I can't show {public_id} here. If it is yours or shared with you, "
                "ask me in a direct message."
            ) from None
        raise
    if submission.incident is None:
        raise no_such_report(public_id)
    audit.record_reads(ctx.session, ctx.principal, [submission])
    owner = submission.owner_state == ctx.principal.party and not ctx.in_group
    grantees = sharing.grantees_of(ctx.session, submission.id) if owner else None
    text = incident_detail(submission, grantees, ctx.zone)
    extra = links_lines(links.links_of(ctx.session, ctx.scope, submission))
    extra += timeline_lines(updates.timeline(ctx.session, ctx.scope, submission.id), ctx.zone)
    entries, open_tasks = response.log_counts(ctx.session, submission)
    if entries:  # the report passed the reader's rule above, and its log goes where it goes
        tasks = f", {open_tasks} open task{'s' if open_tasks != 1 else ''}" if open_tasks else ""
        extra.append(
            f"Response log: {entries} entr{'ies' if entries != 1 else 'y'}{tasks}. "
            f"See it: respond {submission.public_id}"
        )
    return [Reply("\n".join([text, *extra]))]


def _edit_choices(field: str) -> tuple[Choice, ...]:
    """The buttons for `edit ID FIELD`: the report form's own choices, plus status."""
    if field == "status":
        return tuple(Choice(s.value.capitalize(), s.value) for s in IncidentStatus)
    names = {f.name: f for f in report_form.FORM.fields}
    return names[field].choices if field in names and names[field].kind == "choice" else ()


def edit(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("correct a report")
    usage = (
        "edit ID FIELD VALUE, e.g. edit BRB-0007 severity high. "
        f"Fields: {', '.join(incidents.EDITABLE)}"
    )
    public_id, rest = take_id(args, usage)
    parts = [public_id, *rest.split(maxsplit=1)]
    if len(parts) < 2:
        raise InvalidInput(f"Usage: {usage}")
    field = parts[1].lower()
    if len(parts) == 2 and field in ("when", "where"):
        owned = incidents.owned_for_change(ctx.session, ctx.principal, public_id)
        return [report_reply.ask_fix(ctx, owned, field)]
    choices = _edit_choices(field)
    if len(parts) == 2 and choices:
        incidents.owned_for_change(ctx.session, ctx.principal, public_id)
        buttons = [Button(c.label, f"/edit {public_id} {field} {c.value}") for c in choices]
        return [Reply(f"New {field} for {public_id}?", buttons=rows(buttons))]
    submission = incidents.edit_incident(
        ctx.session,
        ctx.principal,
        public_id,
        field,
        parts[2] if len(parts) > 2 else "",
        ctx.now,
        ctx.zone,
    )
    shown = field_value(submission, field, ctx.zone)
    return [
        Reply(f"Updated {submission.public_id}: {field} is now {shown}. (TLP:{submission.tlp})")
    ]


def _id_and_targets(ctx: Context, args: str, usage: str) -> tuple[str, list[str]]:
    """`share` and `unshare` take a report id and at least one target, in a direct message."""
    ctx.require_direct("change sharing")
    public_id, rest = take_id(args, usage)
    if not rest:
        raise InvalidInput(f"Usage: {usage}")
    return public_id, rest.split()


def share(ctx: Context, args: str) -> list[Reply]:
    usage = "share ID TARGET..., e.g. share BRB-0007 JAM TTO (or all, secretariat)"
    public_id, targets = _id_and_targets(ctx, args, usage)
    submission, changes = sharing.share(ctx.session, ctx.principal, public_id, targets)
    return [Reply(share_lines(submission.public_id, changes))]


def unshare(ctx: Context, args: str) -> list[Reply]:
    usage = "unshare ID TARGET, e.g. unshare BRB-0007 JAM"
    public_id, targets = _id_and_targets(ctx, args, usage)
    submission, changes, remaining = sharing.unshare(
        ctx.session, ctx.principal, public_id, targets, ctx.now
    )
    return [Reply(unshare_lines(submission.public_id, changes, remaining))]
