"""Errors whose message is for the person in the chat: what was wrong, how to do it right."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")


class SecbotError(Exception):
    """Base for every failure that is reported to the user instead of crashing.

    The message's transaction is rolled back; `aftermath`, when set, is then run in a
    transaction of its own, for what must be kept although the message failed (an audit line
    about a wrong invite code)."""

    def __init__(self, message: str, aftermath: Callable[[Any], None] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.aftermath = aftermath


class InvalidInput(SecbotError):
    pass


class FormErrors(InvalidInput):
    """Problems with several fields of a submitted form at once."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()))
        self.fields = fields


class NotPermitted(SecbotError):
    pass


class NotFound(SecbotError):
    """Used alike for "no such thing" and "not yours", so the two can never be told apart."""


def no_such_report(public_id: str) -> NotFound:
    return NotFound(
        f"I can't find a report {public_id} that you can see. `reports` lists the ones you "
        "can open."
    )


def not_an_id(text: str) -> InvalidInput:
    return InvalidInput(
        f"“{text[:40]}” is not a report id. A report id is a state code and a number, "
        "e.g. BRB-0007 (BRB-7 works too)."
    )


def collect(checks: Mapping[str, Callable[[], T]]) -> dict[str, T]:
    """Run every check; one FormErrors naming each failed field, or every value by name."""
    values: dict[str, T] = {}
    errors: dict[str, str] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidInput as error:
            errors[name] = error.message
    if errors:
        raise FormErrors(errors)
    return values
