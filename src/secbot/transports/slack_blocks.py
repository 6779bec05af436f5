"""Replies and forms as Block Kit: short sections, buttons as actions, a modal for forms."""

from __future__ import annotations

from typing import Any

from secbot.engine.forms import Field, Form
from secbot.engine.messages import Reply

SECTION_LIMIT = 2900
MODAL_CALLBACK = "secbot_form"


def escape(text: str) -> str:
    """Slack reads `<...>` as mentions and links and `&` as entities: show them as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sections(text: str) -> list[dict[str, Any]]:
    chunks, rest = [], escape(text)
    while len(rest) > SECTION_LIMIT:
        cut = rest.rfind("\n", 0, SECTION_LIMIT)
        cut = cut if cut > 0 else SECTION_LIMIT
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    chunks.append(rest or "…")
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks]


def blocks(reply: Reply) -> list[dict[str, Any]]:
    out = _sections(reply.text)
    buttons = [b for row in reply.buttons for b in row]
    for start in range(0, len(buttons), 25):  # Slack allows 25 elements per actions block
        out.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": b.label[:75]},
                        "action_id": f"secbot:{start + n}",
                        "value": b.payload[:2000],
                    }
                    for n, b in enumerate(buttons[start : start + 25])
                ],
            }
        )
    return out


def _element(field: Field) -> dict[str, Any]:
    if field.kind == "choice":
        options = [
            {"text": {"type": "plain_text", "text": label[:75]}, "value": value}
            for label, value in ((c.label, c.value) for c in field.choices)
        ]
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": field.name,
            "options": options,
        }
        initial = next((o for o in options if o["value"] == field.initial), None)
        if initial:
            element["initial_option"] = initial
        return element
    element = {
        "type": "plain_text_input",
        "action_id": field.name,
        "multiline": field.kind == "long_text",
    }
    if field.placeholder:
        element["placeholder"] = {"type": "plain_text", "text": field.placeholder[:150]}
    if field.initial:
        element["initial_value"] = field.initial
    return element


def modal(form: Form, metadata: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": f"{MODAL_CALLBACK}:{form.name}",
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": form.title[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": f.name,
                "optional": f.optional,
                "label": {"type": "plain_text", "text": f.label},
                "element": _element(f),
            }
            for f in form.fields
        ],
    }


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """Field name -> submitted value, from a view_submission's state."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        for action in actions.values():
            if action.get("type") == "static_select":
                selected = action.get("selected_option") or {}
                values[block_id] = str(selected.get("value", ""))
            else:
                values[block_id] = str(action.get("value") or "")
    return values
