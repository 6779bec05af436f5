"""Files a reply carried (an export, a brief's PDF) ride in the inbox until sent. Once sent
their bytes are dropped; a reply still waiting loses a file that may hold erased words."""

from __future__ import annotations

import base64
import io
import zipfile

from sqlalchemy import select

from secbot.db.models import InboxEntry
from secbot.db.types import utcnow
from secbot.domain.enums import ChatKind, Role
from secbot.engine.messages import Attachment, Inbound, Reply
from secbot.inbox import store
from secbot.inbox.store import Arrival
from tests.support.inbox import through_inbox
from tests.support.world import World

MARKER = "Zqxv7731 tanker unloading blue drums"


def _stored_files(world: World) -> list[bytes]:
    with world.db.reading() as session:
        return [
            base64.b64decode(a["data"])
            for entry in session.scalars(select(InboxEntry))
            for r in entry.replies or []
            for a in r.get("attachments") or []
        ]


def test_a_sent_export_leaves_no_bytes_in_the_inbox(world: World) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(f"report {MARKER}")
    sent = through_inbox(world.db, world.engine, "alice", "export json", "k1")
    assert any(MARKER.encode() in a.data for r in sent for a in r.attachments)  # it was sent
    files = _stored_files(world)
    assert files and all(f == b"" for f in files)  # the file's name is kept, not its bytes


def test_erasure_drops_files_of_replies_still_waiting_that_may_hold_the_report(
    world: World,
) -> None:
    alice = world.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say(f"report {MARKER}")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("reports.csv", f"BRB-0001,{MARKER}\n")
    files = (
        Attachment("export.zip", "application/zip", zipped.getvalue(), ""),
        Attachment("brief.pdf", "application/pdf", b"%PDF-1.4 compressed", ""),
        Attachment("other.txt", "text/plain", b"nothing of that report here", ""),
    )
    inbound = Inbound("console", "", "bob", "bob", ChatKind.DIRECT, text="export", message_key="w")
    store.store(world.db, [Arrival("w", inbound)], utcnow())
    with world.db.transaction() as session:
        entry_id = session.scalar(select(InboxEntry.id).where(InboxEntry.replied_at.is_(None)))
        assert entry_id is not None
        store.settle(session, entry_id, [Reply("Here it is", attachments=files)], utcnow())
    assert "Erased BRB-0001" in alice.say("erase BRB-0001 confirm")
    assert _stored_files(world) == [b"", b"", b"nothing of that report here"]
