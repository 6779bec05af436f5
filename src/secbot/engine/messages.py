"""What transports hand the engine and what they get back. Nothing platform-specific lives here."""

from __future__ import annotations

from dataclasses import dataclass, field

from secbot.domain.enums import ChatKind


@dataclass(frozen=True)
class Inbound:
    platform: str
    workspace: str
    user_id: str
    chat_id: str
    chat_kind: ChatKind
    text: str = ""
    payload: str | None = None
    """A button press; treated exactly like typed text, and trusted no more."""
    display_name: str = ""
    message_key: str | None = None
    """The platform's id for this delivery, used to make a redelivered report one report."""
    form_values: dict[str, str] | None = None
    """A whole form submitted at once (a Slack modal), field name -> value."""
    supports_forms: bool = False
    """The transport can show a whole form (engine.forms) instead of asking step by step."""
    addressed: bool = True
    """In a group: the message was for the bot (a command, a mention, a reply to it). A
    stranger's message that is not gets no answer at all."""


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


PAYLOAD_BYTES = 64
"""The most any platform carries back (Telegram's callback_data): a longer payload would come
back cut short, so a button that needs one is better left out."""


def fits(payload: str) -> bool:
    return len(payload.encode("utf-8")) <= PAYLOAD_BYTES


@dataclass(frozen=True)
class Attachment:
    """A file a reply carries (a chart, a PDF, a CSV annex); each transport sends it its own way
    (Telegram: a photo or a document; Slack: the external-upload API; console: a file under the
    data dir whose path is printed)."""

    filename: str
    mime: str
    data: bytes
    caption: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    form: str | None = None
    """Set on the steps of a guided form, so a transport can edit one message as it advances."""
    extras: dict[str, str] = field(default_factory=dict)
    """`open_form`: the name of a form in engine.forms the transport should open."""
    field_errors: dict[str, str] = field(default_factory=dict)
    """Per-field problems with a submitted form, for transports that show them in place."""
    attachments: tuple[Attachment, ...] = ()
    """Files sent after the text, in order."""
    reports: tuple[int, ...] = ()
    """Internal ids of the submissions a computed reply counted (a brief): a scheduled issue
    stores them and re-checks them against the room's scope before it is sent."""


def rows(buttons: list[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out for a phone screen: short rows, thumbs reach them."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
