"""The form engine, driven through a verb that exists only here: the proof that a new verb with a
three-field form is one declaration, one submit function and one registry entry."""

from __future__ import annotations

import pytest

from secbot.access.permissions import Action
from secbot.db.models import Draft
from secbot.db.session import Database
from secbot.domain.enums import ChatKind, Role
from secbot.domain.errors import InvalidInput
from secbot.engine import registry
from secbot.engine.context import Context
from secbot.engine.engine import Engine
from secbot.engine.forms import Choice, Field, Form
from secbot.engine.forms import runner as forms
from secbot.engine.messages import Inbound, Reply
from tests.support.world import World

# --- the whole feature: a declaration, a submit function, a handler ------------------------


def _subject(text: str, ctx: Context) -> str:
    if len(text.strip()) < 3:
        raise InvalidInput("A subject needs a few words.")
    return text.strip()


def _priority(text: str, ctx: Context) -> str:
    if text.strip().lower() not in ("low", "high"):
        raise InvalidInput("Priority is low or high.")
    return text.strip().lower()


def _submit(ctx: Context, values: dict[str, str]) -> list[Reply]:
    return [Reply(f"Noted “{values['subject']}” ({values['priority']}): {values['details']}")]


NOTE = Form(
    name="note",
    title="New note",
    action=Action.READ,
    doing="write a note",
    fields=(
        Field("subject", "Subject", "Subject?", _subject),
        Field(
            "priority",
            "Priority",
            "Priority?",
            _priority,
            kind="choice",
            choices=(Choice("Low", "low"), Choice("High", "high")),
        ),
        Field("details", "Details", "Details?", lambda text, ctx: text.strip(), kind="long_text"),
    ),
    submit=_submit,
)

NOTE_VERB = registry.Verb(
    "note",
    lambda ctx, args: forms.start(ctx, NOTE),
    (registry.Help("note", "write a note", (Action.READ,)),),
    form=NOTE,
)


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> World:
    # In the product this is the one line `NOTE_VERB,` in registry.VERBS.
    monkeypatch.setitem(registry.BY_NAME, "note", NOTE_VERB)
    monkeypatch.setitem(registry.FORMS, "note", NOTE)
    return World(db)


def drafts(db: Database) -> list[Draft]:
    with db.transaction() as session:
        return list(session.query(Draft))


def test_a_declared_form_asks_reasks_confirms_and_submits(world: World, db: Database) -> None:
    ann = world.member("ann", Role.DELEGATE, "BRB")
    assert "New note · step 1 of 4\nSubject?" in ann.say("note")
    first = ann.say("no")
    assert "A subject needs a few words." in first and "step 1 of 4" in first
    assert "step 2 of 4" in ann.say("Harbour lights out")
    wrong = ann.say("urgent")
    assert "Priority is low or high." in wrong
    assert [b.label for b in ann.buttons()] == ["Low", "High", "✖ Cancel"], "re-asked with buttons"
    ann.send("", payload="high")
    preview = ann.say("Both lights at the north pier")
    assert "Subject: Harbour lights out" in preview and "Priority: high" in preview
    assert ann.say("maybe").startswith("Tap Save"), "an unclear confirm asks again"
    assert ann.say("save") == "Noted “Harbour lights out” (high): Both lights at the north pier"
    assert drafts(db) == []


def test_a_form_resumes_after_a_restart_and_cancels(world: World, db: Database) -> None:
    ann = world.member("ann", Role.DELEGATE, "BRB")
    ann.say("note")
    ann.say("Harbour lights out")
    world.engine = Engine(db)  # a new process, the same database
    resumed = ann.say("note")
    assert "let's continue" in resumed and "step 2 of 4" in resumed
    assert ann.say("cancel") == "Cancelled; nothing was saved."
    assert drafts(db) == []


def test_a_whole_form_reports_every_bad_field_and_keeps_nothing(world: World, db: Database) -> None:
    world.member("ann", Role.DELEGATE, "BRB")
    assert world.engine is not None

    def submit(values: dict[str, str]) -> list[Reply]:
        return world.engine.handle(  # type: ignore[union-attr]
            Inbound("console", "", "ann", "ann", ChatKind.DIRECT, text="/note", form_values=values)
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(
            registry.BY_NAME,
            "note",
            registry.Verb(
                "note",
                lambda ctx, args: forms.submit_all(ctx, NOTE, ctx.inbound.form_values or {}),
                form=NOTE,
            ),
        )
        bad = submit({"subject": "x", "priority": "urgent", "details": ""})
        assert set(bad[0].field_errors) == {"subject", "priority"}
        good = submit({"subject": "Pier lights", "priority": "low", "details": "north pier"})
    assert good[0].text == "Noted “Pier lights” (low): north pier"
    assert drafts(db) == []


def test_help_lists_a_registered_verb_for_those_allowed(world: World) -> None:
    ann = world.member("ann", Role.DELEGATE, "BRB")
    assert "• note — write a note" in ann.say("help")
    stranger = world.chat("zed")
    assert "note" not in stranger.say("help")
