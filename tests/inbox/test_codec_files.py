"""Replies wait in the inbox as JSON until sent: their files must come back byte for byte."""

from __future__ import annotations

import json

from secbot.engine.messages import Attachment, Button, Reply
from secbot.inbox.codec import replies_from_json, replies_to_json
from tests.support.briefs import pdf, png


def test_attachments_survive_the_inbox_round_trip() -> None:
    reply = Reply(
        "Brief",
        ((Button("More", "more"),),),
        attachments=(
            Attachment("c.png", "image/png", png(shade=3), "Chart"),
            Attachment("b.pdf", "application/pdf", pdf("x")),
        ),
    )
    stored = json.loads(json.dumps(replies_to_json([reply, Reply("plain")])))
    assert replies_from_json(stored) == [reply, Reply("plain")]


def test_replies_stored_before_files_existed_still_load() -> None:
    old = [{"text": "hi", "buttons": [], "form": None, "extras": {}, "field_errors": {}}]
    assert replies_from_json(old) == [Reply("hi")]
