"""A form is a declaration: fields (question, buttons, one parser each) and a submit function.

The runner (engine.forms.runner) asks the fields one at a time in chat, or takes them all at
once from a platform that renders whole forms (a Slack modal); both go through the same parsers,
so a value accepted one way is accepted the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from secbot.access.permissions import Action

if TYPE_CHECKING:
    from secbot.engine.context import Context
    from secbot.engine.messages import Reply

Parse = Callable[[str, "Context"], str]
"""Text as typed -> the value kept in the draft (a string), or InvalidInput with a polite
message that says how to answer."""


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    question: str
    parse: Parse
    kind: Literal["choice", "text", "long_text"] = "text"
    choices: tuple[Choice, ...] = ()
    """Buttons: the allowed values of a choice field, or quick answers of a text field."""
    per_row: int = 2
    optional: bool = False
    """May be left empty in a whole-form submit (it is then parsed from "")."""
    placeholder: str = ""
    initial: str = ""
    """Used when a whole-form submit leaves the field empty."""
    show: Callable[[str], str] = str
    """How the kept value reads in the confirmation summary."""
    hint: Callable[[Context], str] | None = None
    """Extra words for the question that depend on the moment (e.g. the tags in use)."""


@dataclass(frozen=True)
class Preview:
    text: str
    confirm: str | None
    """The confirm button's label, or None when the form cannot be submitted as it stands."""


@dataclass(frozen=True)
class Form:
    name: str
    title: str
    action: Action
    doing: str
    """For messages: "file a report"."""
    fields: tuple[Field, ...]
    submit: Callable[[Context, dict[str, str]], list[Reply]]
    """Called inside the message's transaction with every field parsed, plus `key`: a stable
    idempotency key for this filling-in of the form."""
    preview: Callable[[Context, dict[str, str]], Preview] | None = None
    confirm_label: str = "✔ Save"
    confirm_words: Sequence[str] = ("save", "yes", "confirm", "ok")
    confirm_help: str = "Tap Save, or Cancel to drop it."
    resumed: str = "You have a form in progress; let's continue."
    cancelled: str = "Cancelled; nothing was saved."

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)
