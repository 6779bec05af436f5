"""Runs any declared form: start or resume, answer a step, re-ask with its buttons, confirm,
cancel, and submit a whole form at once.

A member has at most one open form, kept in their Draft row and written in the same transaction
as the reply, so a restart between two messages loses nothing.
"""

from __future__ import annotations

import secrets
from functools import partial

from secbot.access.permissions import require
from secbot.db.models import Draft
from secbot.domain.errors import InvalidInput, collect
from secbot.engine.context import Context
from secbot.engine.forms.model import Field, Form, Preview
from secbot.engine.messages import Button, Reply, rows

CONFIRM = "confirm"
CANCEL = Button("✖ Cancel", "/cancel")


def open_draft(ctx: Context) -> Draft | None:
    if ctx.principal.member_id is None:
        return None
    return ctx.session.get(Draft, ctx.principal.member_id)


def _header(form: Form, step: str) -> str:
    names = [f.name for f in form.fields] + [CONFIRM]
    return f"{form.title} · step {names.index(step) + 1} of {len(names)}\n"


def question(ctx: Context, form: Form, step: str, data: dict[str, str]) -> Reply:
    head = _header(form, step)
    if step == CONFIRM:
        preview = _preview(ctx, form, data)
        if preview.confirm is None:
            return Reply(head + preview.text, ((CANCEL,),), form=form.name)
        confirm = Button(preview.confirm, form.confirm_words[0])
        return Reply(head + preview.text, ((confirm, CANCEL),), form=form.name)
    field = form.field(step)
    text = field.question + (field.hint(ctx) if field.hint else "")
    buttons = [Button(c.label, c.value) for c in field.choices]
    layout = rows(buttons, field.per_row) if buttons else ()
    return Reply(head + text, (*layout, (CANCEL,)), form=form.name)


def _preview(ctx: Context, form: Form, data: dict[str, str]) -> Preview:
    if form.preview is not None:
        return form.preview(ctx, data)
    lines = [f"{f.label}: {f.show(data.get(f.name, ''))}" for f in form.fields]
    return Preview("Please check, then save:\n" + "\n".join(lines), form.confirm_label)


def start(ctx: Context, form: Form) -> list[Reply]:
    """Open the form, or continue the one already open; another open form is replaced."""
    ctx.require_direct(form.doing)
    require(ctx.principal, form.action)
    assert ctx.principal.member_id is not None
    draft = open_draft(ctx)
    if draft is not None and draft.flow == form.name:
        return [Reply(form.resumed), question(ctx, form, draft.step, dict(draft.data))]
    if draft is not None:
        ctx.session.delete(draft)
        ctx.session.flush()
    first = form.fields[0].name
    data = {"nonce": secrets.token_hex(8)}
    ctx.session.add(Draft(member_id=ctx.principal.member_id, flow=form.name, step=first, data=data))
    return [question(ctx, form, first, data)]


def answer(ctx: Context, form: Form, draft: Draft, text: str) -> list[Reply]:
    """One answer: a good one moves on, a bad one says why and asks again with its buttons,
    leaving the draft as it was."""
    require(ctx.principal, form.action)
    data = dict(draft.data)
    value = text.strip()
    if draft.step == CONFIRM:
        if value.lower() not in form.confirm_words:
            return [Reply(form.confirm_help), question(ctx, form, CONFIRM, data)]
        if _preview(ctx, form, data).confirm is None:
            return [question(ctx, form, CONFIRM, data)]
        # The draft goes first, so a submit may keep something of its own in the member's
        # Draft row (a held report); a refused submit rolls the deletion back with the rest.
        ctx.session.delete(draft)
        ctx.session.flush()
        return form.submit(ctx, _values(data))
    field = form.field(draft.step)
    try:
        data[field.name] = field.parse(value, ctx)
    except InvalidInput as error:
        return [Reply(error.message), question(ctx, form, field.name, data)]
    draft.data = data
    draft.step = _next(form, field.name)
    return [question(ctx, form, draft.step, data)]


def _next(form: Form, step: str) -> str:
    names = [f.name for f in form.fields] + [CONFIRM]
    return names[names.index(step) + 1]


def _values(data: dict[str, str]) -> dict[str, str]:
    values = dict(data)
    values["key"] = f"form:{values.pop('nonce', '')}"
    return values


def parse_all(ctx: Context, fields: tuple[Field, ...], given: dict[str, str]) -> dict[str, str]:
    """Every field parsed at once; FormErrors names each bad one and nothing is kept."""

    def one(field: Field) -> str:
        raw = given.get(field.name, "").strip() or field.initial
        return field.parse(raw, ctx)

    return collect({f.name: partial(one, f) for f in fields})


def submit_all(ctx: Context, form: Form, given: dict[str, str]) -> list[Reply]:
    """A whole form submitted at once (a Slack modal): all checked, then filed, or nothing."""
    require(ctx.principal, form.action)
    values = parse_all(ctx, form.fields, given)
    draft = open_draft(ctx)
    if draft is not None:  # a chat form left open is superseded by the submitted one
        ctx.session.delete(draft)
        ctx.session.flush()
    values["key"] = f"form:{ctx.inbound.message_key or secrets.token_hex(8)}"
    return form.submit(ctx, values)


def cancel(ctx: Context, forms: dict[str, Form]) -> list[Reply]:
    draft = open_draft(ctx)
    if draft is None or draft.flow not in forms:  # (a list's `more` cursor is no form)
        return [Reply("Nothing to cancel.")]
    ctx.session.delete(draft)
    form = forms.get(draft.flow)
    return [Reply(form.cancelled if form else "Cancelled.", form=draft.flow)]
