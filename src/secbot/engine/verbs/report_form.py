"""`report`: the guided form, the whole-form submit (Slack modal) and the one-line report.

All three file through `reports.incidents.file_incident` with fields read by `reports.fields`.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from secbot.access.permissions import Action, require
from secbot.domain.enums import TLP, Severity
from secbot.domain.errors import InvalidInput
from secbot.domain.guess import guess_severity, guess_title
from secbot.domain.places import GazetteerPlace, PlaceFound, find_place
from secbot.domain.taxonomy import BY_KEY, CATEGORIES, guess_category
from secbot.domain.text import one_line
from secbot.domain.when import show_time, zone_named
from secbot.domain.when_phrases import find_when
from secbot.engine.context import Context
from secbot.engine.forms import Choice, Field, Form
from secbot.engine.forms import runner as forms
from secbot.engine.messages import Reply
from secbot.engine.verbs import report_filing, report_reply
from secbot.registers.places import places_of
from secbot.reports import fields
from secbot.reports.incidents import IncidentInput


def _places(ctx: Context) -> tuple[GazetteerPlace, ...]:
    return places_of(ctx.session, ctx.principal.owner_party)


def _submit(ctx: Context, v: dict[str, str]) -> list[Reply]:
    what = v["what"]
    place = fields.place(v["where"], _places(ctx))
    reply = report_filing.file_or_hold(
        ctx,
        IncidentInput(
            category=v["category"],
            severity=Severity(v["severity"]),
            title=guess_title(what, fields.TITLE_CHARS),
            description=what,
            location=place.text,
            occurred_at=_kept(v["when"])[0],
            tlp=TLP(v["tlp"]),
            place=place,
        ),
        v["key"],
        lambda submission: Reply(report_filing.filed_text(submission), form=FORM.name),
    )
    return [reply]


FORM = Form(
    name="report",
    title="New report",
    action=Action.FILE_REPORT,
    doing="file a report",
    fields=(
        Field(
            "category",
            "Category",
            "What kind of incident?",
            lambda text, ctx: fields.category(text).key,
            kind="choice",
            choices=tuple(Choice(c.label, c.key) for c in CATEGORIES),
            show=lambda v: BY_KEY[v].label,
        ),
        Field(
            "severity",
            "Severity",
            "How severe is it?",
            lambda text, ctx: fields.severity(text).value,
            kind="choice",
            choices=tuple(Choice(s.value.capitalize(), s.value) for s in Severity),
        ),
        Field(
            "what",
            "What happened",
            "What happened? One or two sentences; the first line becomes the title.",
            lambda text, ctx: fields.what(text),
            kind="long_text",
            placeholder="One or two sentences",
            show=lambda v: one_line(v, 200),
        ),
        Field(
            "where",
            "Where",
            "Where? (a place, coordinates or `skip`)",
            lambda text, ctx: fields.place(text, _places(ctx)).text,
            choices=(Choice("Skip", "skip"),),
            optional=True,
            placeholder="A place or coordinates",
            show=lambda v: v or "not given",
        ),
        Field(
            "when",
            "When",
            "When did it happen? e.g. `now`, `2 hours ago`, `at 02:00`, `yesterday 14:30` "
            "(your time)",
            lambda text, ctx: _keep(fields.when(text, ctx.now, ctx.zone), ctx.zone),
            choices=(Choice("Now", "now"), Choice("1 hour ago", "1 hour ago")),
            placeholder="now, 2 hours ago, at 02:00, yesterday 14:30",
            initial="now",
            show=lambda v: _show_kept(v),
        ),
        Field(
            "tlp",
            "TLP label",
            "Who may see it once shared? TLP label (AMBER if unsure; RED never leaves your state).",
            lambda text, ctx: fields.tlp(text).value,
            kind="choice",
            choices=tuple(Choice(t.value, t.value) for t in TLP),
            per_row=3,
            initial=TLP.AMBER.value,
            show=lambda v: f"TLP:{v}",
        ),
    ),
    submit=_submit,
    confirm_help="Tap Save to file the report, or Cancel to drop it.",
    resumed="You have a report in progress; let's continue.",
    cancelled="Report cancelled; nothing was saved.",
)


def report(ctx: Context, args: str) -> list[Reply]:
    """`report` opens the form (or the platform's own form); `report TEXT` files at once."""
    ctx.require_direct(FORM.doing)
    require(ctx.principal, FORM.action)
    if ctx.inbound.form_values is not None:
        return forms.submit_all(ctx, FORM, ctx.inbound.form_values)
    if args.strip():
        return one_line_report(ctx, args.strip())
    if ctx.inbound.supports_forms:
        return [Reply("Opening the report form…", extras={"open_form": FORM.name})]
    return forms.start(ctx, FORM)


def _keep(moment: datetime, zone: tzinfo) -> str:
    """The draft keeps the UTC time and the writer's zone, so the summary reads as typed."""
    return f"{moment.astimezone(UTC).isoformat()} {getattr(zone, 'key', 'UTC')}"


def _kept(value: str) -> tuple[datetime, tzinfo]:
    moment, _, zone = value.partition(" ")
    return datetime.fromisoformat(moment), zone_named(zone)


def _show_kept(value: str) -> str:
    return show_time(*_kept(value))


def one_line_report(ctx: Context, text: str) -> list[Reply]:
    """File at once, reading category, severity, time and place from the text; then show
    every assumption with a button to fix it."""
    category = guess_category(text)
    severity = guess_severity(text)
    places = _places(ctx)
    try:
        when = find_when(text, ctx.now, ctx.zone)
    except InvalidInput as error:
        raise InvalidInput(
            f"{error.message.removesuffix(' When did it happen?')} Nothing was filed: send "
            "`report …` again with the time it happened, or without a time for now."
        ) from None
    place = find_place(text, places) or PlaceFound("")
    i = ctx.inbound
    understood = report_reply.Understood(category.label, severity.value, when, place)
    reply = report_filing.file_or_hold(
        ctx,
        IncidentInput(
            category=category.key,
            severity=severity,
            title=guess_title(text),
            description=text,
            location=place.text,
            occurred_at=when.at if when else ctx.now,
            tlp=TLP.AMBER,
            place=place,
        ),
        f"msg:{i.platform}:{i.workspace}:{i.message_key}" if i.message_key else None,
        lambda submission: report_reply.filed(ctx, submission, understood, places),
    )
    return [reply]
