"""Inbound messages and replies as JSON, so they can wait in SQL across a crash."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from secbot.domain.enums import ChatKind
from secbot.engine.messages import Attachment, Button, Inbound, Reply


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
            # Files ride in the inbox too: a reply sent after a restart still carries them.
            "attachments": [
                {
                    "filename": a.filename,
                    "mime": a.mime,
                    "caption": a.caption,
                    "data": base64.b64encode(a.data).decode("ascii"),
                }
                for a in r.attachments
            ],
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
            attachments=tuple(
                Attachment(a["filename"], a["mime"], base64.b64decode(a["data"]), a["caption"])
                for a in r.get("attachments") or ()
            ),
        )
        for r in data
    ]


def without_file_bytes(replies: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Stored replies with their files' bytes dropped (names kept), or None when none had any:
    once sent, a file need not wait in SQL, where it would outlive an erasure of its content."""
    if not replies or not any(a.get("data") for r in replies for a in r.get("attachments") or ()):
        return None
    return [
        {**r, "attachments": [{**a, "data": ""} for a in r.get("attachments") or ()]}
        for r in replies
    ]
