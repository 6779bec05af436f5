"""Inbound messages and replies as JSON, so they can wait in SQL across a crash."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from secbot.domain.enums import ChatKind
from secbot.engine.messages import Button, Inbound, Reply


def inbound_to_json(inbound: Inbound) -> dict[str, Any]:
    data = asdict(inbound)
    data["chat_kind"] = inbound.chat_kind.value
    return data


def inbound_from_json(data: dict[str, Any]) -> Inbound:
    return Inbound(**{**data, "chat_kind": ChatKind(data["chat_kind"])})


def replies_to_json(replies: list[Reply]) -> list[dict[str, Any]]:
    return [
        {
            "text": r.text,
            "buttons": [[[b.label, b.payload] for b in row] for row in r.buttons],
            "form": r.form,
            "extras": dict(r.extras),
            "field_errors": dict(r.field_errors),
        }
        for r in replies
    ]


def replies_from_json(data: list[dict[str, Any]]) -> list[Reply]:
    return [
        Reply(
            text=r["text"],
            buttons=tuple(
                tuple(Button(label, payload) for label, payload in row) for row in r["buttons"]
            ),
            form=r.get("form"),
            extras=dict(r.get("extras") or {}),
            field_errors=dict(r.get("field_errors") or {}),
        )
        for r in data
    ]
