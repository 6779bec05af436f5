"""The guided report form and the one-line report.

Each answer is written to the member's Draft in the same transaction that replies, so a restart
between two messages loses nothing: the next message simply continues the form.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from secbot.db.models import Draft
from secbot.domain.enums import TLP, Severity
from secbot.domain.errors import FormErrors, InvalidInput
from secbot.domain.guess import guess_severity, guess_title
from secbot.domain.taxonomy import BY_KEY, CATEGORIES, find_category, guess_category
from secbot.domain.text import one_line
from secbot.domain.when import parse_when, show_when
from secbot.engine import drafts
from secbot.engine.context import Context
from secbot.engine.messages import Button, Reply, rows
from secbot.services.identity import require_role
from secbot.services.incidents import SUBMITTERS, IncidentInput, file_incident

FORM = "report"
STEPS = ("category", "severity", "what", "where", "when", "tlp", "confirm")
CANCEL = Button("✖ Cancel", "/cancel")


def _question(step: str, data: dict[str, Any]) -> Reply:
    n = STEPS.index(step) + 1
    head = f"New report · step {n} of {len(STEPS)}\n"
    if step == "category":
        buttons = [Button(c.label, c.key) for c in CATEGORIES]
        return Reply(head + "What kind of incident?", (*rows(buttons), (CANCEL,)), form=FORM)
    if step == "severity":
        buttons = [Button(s.value.capitalize(), s.value) for s in Severity]
        return Reply(head + "How severe is it?", (*rows(buttons), (CANCEL,)), form=FORM)
    if step == "what":
        return Reply(
            head + "What happened? One or two sentences; the first line becomes the title.",
            ((CANCEL,),),
            form=FORM,
        )
    if step == "where":
        return Reply(
            head + "Where? (a place, coordinates or `skip`)",
            ((Button("Skip", "skip"), CANCEL),),
            form=FORM,
        )
    if step == "when":
        return Reply(
            head + "When did it happen? e.g. `now`, `2 hours ago`, `yesterday 14:30` (UTC)",
            ((Button("Now", "now"), Button("1 hour ago", "1 hour ago")), (CANCEL,)),
            form=FORM,
        )
    if step == "tlp":
        buttons = [Button(t.value, t.value) for t in TLP]
        return Reply(
            head + "Who may see it once shared? TLP label (AMBER if unsure; RED never leaves "
            "your state).",
            (*rows(buttons, 3), (CANCEL,)),
            form=FORM,
        )
    return Reply(
        head + "Please check, then save:\n" + _summary(data),
        ((Button("✔ Save", "save"), CANCEL),),
        form=FORM,
    )


def _summary(data: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Category: {BY_KEY[data['category']].label}",
            f"Severity: {data['severity']}",
            f"What: {one_line(data['what'], 200)}",
            f"Where: {data.get('where') or 'not given'}",
            f"When: {show_when(datetime.fromisoformat(data['when']))}",
            f"TLP:{data['tlp']}",
        ]
    )


def start(ctx: Context, args: str) -> list[Reply]:
    ctx.require_direct("file a report")
    require_role(ctx.principal, *SUBMITTERS, doing="file reports")
    if ctx.inbound.form_values is not None:
        return submit_form(ctx, ctx.inbound.form_values)
    if args.strip():
        return one_line_report(ctx, args.strip())
    if ctx.inbound.supports_forms:
        return [Reply("Opening the report form…", extras={"open_form": FORM})]
    draft, resumed = drafts.resume_or_start(ctx, FORM, STEPS[0])
    if resumed:
        return [
            Reply("You have a report in progress; let's continue."),
            _question(draft.step, draft.data),
        ]
    return [_question(draft.step, draft.data)]


def _draft(ctx: Context) -> Draft | None:
    """Any open form (report or alert): `cancel` and `start` see them all."""
    return drafts.current(ctx)


def has_draft(ctx: Context) -> bool:
    return drafts.current(ctx, FORM) is not None


def cancel(ctx: Context, args: str) -> list[Reply]:
    draft = _draft(ctx)
    if draft is None:
        return [Reply("Nothing to cancel.")]
    ctx.session.delete(draft)
    if draft.flow != FORM:
        return [Reply("Cancelled; nothing was sent.", form=draft.flow)]
    return [Reply("Report cancelled; nothing was saved.", form=FORM)]


def answer(ctx: Context, text: str) -> list[Reply]:
    """Feed one answer to the current step; a bad answer re-asks and keeps the draft as it was."""
    draft = _draft(ctx)
    assert draft is not None
    data = dict(draft.data)
    step = draft.step
    value = text.strip()
    if step == "category":
        category = find_category(value)
        if category is None:
            raise InvalidInput("Please pick one of the category buttons (or type its name).")
        data["category"] = category.key
    elif step == "severity":
        try:
            data["severity"] = Severity(value.lower()).value
        except ValueError:
            raise InvalidInput("Severity is low, moderate, high or critical.") from None
    elif step == "what":
        if len(value) < 5:
            raise InvalidInput("Please describe what happened in a few words.")
        data["what"] = value
    elif step == "where":
        data["where"] = "" if value.lower() == "skip" else one_line(value, 200)
    elif step == "when":
        data["when"] = parse_when(value, ctx.now).isoformat()
    elif step == "tlp":
        tlp = TLP.parse(value)
        if tlp is None:
            raise InvalidInput("Please choose CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")
        data["tlp"] = tlp.value
    elif step == "confirm":
        if value.lower() not in ("save", "yes", "confirm", "ok"):
            raise InvalidInput("Tap Save to file the report, or Cancel to drop it.")
        return _save(ctx, draft, data)
    draft.data = data
    draft.step = STEPS[STEPS.index(step) + 1]
    return [_question(draft.step, data)]


def _save(ctx: Context, draft: Draft, data: dict[str, Any]) -> list[Reply]:
    replies = _file(ctx, data)
    ctx.session.delete(draft)
    return replies


def _file(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    what = data["what"]
    submission = file_incident(
        ctx.session,
        ctx.principal,
        IncidentInput(
            category=data["category"],
            severity=Severity(data["severity"]),
            title=guess_title(what, 200),
            description=what,
            location=data.get("where", ""),
            occurred_at=datetime.fromisoformat(data["when"]),
            tlp=TLP(data["tlp"]),
        ),
        client_key=f"form:{data['nonce']}",
    )
    return [
        Reply(
            f"Saved {submission.public_id} · TLP:{submission.tlp}. Only your state sees it until "
            f"you share it: share {submission.public_id} TARGET",
            form=FORM,
        )
    ]


def submit_form(ctx: Context, values: dict[str, str]) -> list[Reply]:
    """Validate every field at once and file, or report each bad field (nothing is saved)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"nonce": ctx.inbound.message_key or secrets.token_hex(8)}
    category = find_category(values.get("category", ""))
    if category is None:
        errors["category"] = "Choose a category."
    else:
        data["category"] = category.key
    try:
        data["severity"] = Severity(values.get("severity", "").lower()).value
    except ValueError:
        errors["severity"] = "Choose a severity."
    what = values.get("what", "").strip()
    if len(what) < 5:
        errors["what"] = "Describe what happened in a few words."
    data["what"] = what
    data["where"] = one_line(values.get("where", "").strip(), 200)
    try:
        data["when"] = parse_when(values.get("when", "").strip() or "now", ctx.now).isoformat()
    except InvalidInput as error:
        errors["when"] = error.message
    tlp = TLP.parse(values.get("tlp", "") or TLP.AMBER.value)
    if tlp is None:
        errors["tlp"] = "Choose a TLP label."
    else:
        data["tlp"] = tlp.value
    if errors:
        raise FormErrors(errors)
    draft = _draft(ctx)
    if draft is not None:  # a chat form left open is superseded by the submitted one
        ctx.session.delete(draft)
    return _file(ctx, data)


def one_line_report(ctx: Context, text: str) -> list[Reply]:
    """File at once with sensible defaults, then show every assumption with a way to fix it."""
    category = guess_category(text)
    severity = guess_severity(text)
    submission = file_incident(
        ctx.session,
        ctx.principal,
        IncidentInput(
            category=category.key,
            severity=severity,
            title=guess_title(text),
            description=text,
            location="",
            occurred_at=ctx.now,
            tlp=TLP.AMBER,
        ),
        client_key=f"msg:{ctx.inbound.platform}:{ctx.inbound.workspace}:{ctx.inbound.message_key}"
        if ctx.inbound.message_key
        else None,
    )
    pid = submission.public_id
    text_out = (
        f"Filed {pid} · TLP:AMBER (only your state sees it).\n"
        f"I assumed:\n• category: {category.label}\n• severity: {severity.value}\n"
        f"• when: now ({show_when(ctx.now)})\n• where: not given\n"
        f"Fix with e.g. `edit {pid} where Kingstown harbour`"
    )
    buttons = [
        Button("Change category", f"/edit {pid} category"),
        Button("Change severity", f"/edit {pid} severity"),
        Button("Change TLP", f"/edit {pid} tlp"),
    ]
    return [Reply(text_out, rows(buttons))]
