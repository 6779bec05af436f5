"""The console as a platform alerts can reach: each console chat has a mailbox file that alert
deliveries are appended to, and every `secbot chat` session in that chat shows what arrived.
Direct notices (a task or a need on a shared report) go to an account's own direct mailbox.

The mailbox plays the part Telegram's or Slack's servers play for those platforms: it keeps the
messages, so a session opened later still sees them. SQL stays the record of what was delivered
and acknowledged (the outbox marks a delivery sent only after its line is on disk), and a line
already on disk for a delivery is never written twice, so a kill between writing and recording
sends nothing twice (the same look-back the Slack sender does with message metadata).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from secbot.alerts import outbox
from secbot.alerts.dispatcher import worker_name
from secbot.alerts.outbox import Claimed, Limits, Outcome, Policy, Retry, Sent
from secbot.config import Settings
from secbot.db.session import Database
from secbot.domain.clock import utcnow
from secbot.reports import notices
from secbot.transports.files_out import console_save

PLATFORM = "console"
CONSOLE_LIMITS = Limits(per_second=1000, chat_spacing=0.0, group_spacing=0.0)
"""Nothing to protect on a terminal: no per-chat pacing, only the outbox's bookkeeping."""
ACK_LABEL = "✔ Acknowledge"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


_LONGEST = 200


def file_name(chat_id: str) -> str:
    """A chat id as a file name that cannot leave the folder or collide with another id: each
    UTF-8 byte of anything but letters, digits, `_.-` becomes `%XX` (always two digits, so no
    two ids meet), and a long name keeps a digest of the whole id rather than being cut."""
    safe = _SAFE.sub(
        lambda m: "".join(f"%{b:02x}" for b in m.group().encode("utf-8", "surrogatepass")), chat_id
    )
    safe = safe if not safe.startswith(".") else "%2e" + safe[1:]
    if len(safe) <= _LONGEST:
        return safe
    digest = hashlib.sha256(chat_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{safe[: _LONGEST - 65]}~{digest}"


@dataclass(frozen=True)
class Delivered:
    delivery_id: int
    text: str
    ack_payload: str
    files: tuple[str, ...] = ()
    """Paths of the files the message carried (a scheduled brief's chart and PDF)."""


class Mailboxes:
    """`<data_dir>/console/rooms/<chat>.jsonl`, one JSON line per delivered alert message."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "console" / "rooms"
        self.files_root = data_dir / "files"
        """`<data dir>/files/<chat>/<stamp>-<n>-<filename>`: where console files go."""

    def path(self, chat_id: str) -> Path:
        return self.root / f"{file_name(chat_id)}.jsonl"

    def read(self, chat_id: str) -> list[Delivered]:
        path = self.path(chat_id)
        if not path.exists():
            return []
        out: list[Delivered] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                files = tuple(str(p) for p in row.get("files") or ())
                out.append(
                    Delivered(int(row["delivery"]), str(row["text"]), str(row["ack"]), files)
                )
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill: it was never recorded as sent
        return out

    def deliver(self, item: Claimed) -> Outcome:
        """Append the message unless this delivery is already there; fsynced before it counts."""
        message_id = f"console:{item.delivery_id}"
        if any(d.delivery_id == item.delivery_id for d in self.read(item.chat_id)):
            return Sent(message_id)
        try:
            # Named by delivery, so a kill before the line below rewrites the same files.
            paths = console_save(
                self.files_root, file_name(item.chat_id), item.files, stamp=f"d{item.delivery_id}"
            )
            row = {
                "delivery": item.delivery_id,
                "text": item.text,
                "ack": item.ack_payload,
                "files": [str(p) for p in paths],
            }
            self.root.mkdir(parents=True, exist_ok=True)
            with self.path(item.chat_id).open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:  # a full or read-only disk: the outbox tries again later
            return Retry(f"console: {error.strerror or error}")
        return Sent(message_id)


class DirectMailboxes(Mailboxes):
    """`<data_dir>/console/direct/<account>.jsonl`: direct notices to one console account. A
    folder of its own, so a room named like an account never shares its mailbox."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.root = data_dir / "console" / "direct"


def deliver_notices(db: Database, mailboxes: DirectMailboxes, lease: float = 30.0) -> int:
    """Write every due console direct notice to its account's mailbox, then mark it sent; a
    line already there for a notice is not written again, so a kill in between sends once."""
    delivered = 0
    for _round in range(100):
        with db.transaction() as session:
            claimed = notices.claim(
                session, PLATFORM, now=utcnow(), lease=lease, postgres=db.is_postgres
            )
        if not claimed:
            return delivered
        for item in claimed:
            as_claimed = Claimed(
                item.id, 0, 1, PLATFORM, item.workspace, item.user_id, item.text, "", 0.0
            )
            outcome = mailboxes.deliver(as_claimed)
            with db.transaction() as session:
                if isinstance(outcome, Sent):
                    notices.mark_sent(session, item.id, utcnow())
                    delivered += 1
                else:
                    notices.mark_failed(session, item.id, str(outcome), utcnow())
    return delivered


class ConsoleSender:
    """The dispatcher's sender for console chats, when `secbot serve` runs a dispatcher."""

    platform = PLATFORM

    def __init__(self, mailboxes: Mailboxes) -> None:
        self.mailboxes = mailboxes

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, item: Claimed) -> Outcome:
        return self.mailboxes.deliver(item)


def deliver_due(db: Database, mailboxes: Mailboxes, *, policy: Policy | None = None) -> int:
    """Deliver every console delivery that is due now, through the outbox, and return how many.

    The console has no long-running dispatcher when no platform is configured, so the sessions
    and the CLI call this after each message: claims, records and leases are the outbox's own."""
    policy = policy or Policy()
    worker = worker_name()
    rng = random.Random()
    delivered = 0
    for _round in range(100):
        with db.transaction() as session:
            if not outbox.outstanding(session, (PLATFORM,)):
                return delivered
            claimed, _wait = outbox.claim(
                session,
                PLATFORM,
                worker=worker,
                room=50,
                limits=CONSOLE_LIMITS,
                policy=policy,
                now=time.time(),
                postgres=db.is_postgres,
            )
        if not claimed:
            return delivered
        for item in claimed:
            outcome = mailboxes.deliver(item)
            with db.transaction() as session:
                outbox.record(
                    session,
                    item,
                    outcome,
                    limits=CONSOLE_LIMITS,
                    policy=policy,
                    now=time.time(),
                    postgres=db.is_postgres,
                    rng=rng,
                    answered_at=time.time(),
                )
            delivered += 1
    return delivered


def deliverer(settings: Settings, db: Database) -> Callable[[], int]:
    """Delivers due console deliveries now: the console sessions and `secbot alert send` call
    it, since with no platform configured no dispatcher runs."""
    mailboxes = Mailboxes(settings.data_dir)
    direct = DirectMailboxes(settings.data_dir)
    policy = Policy(
        lease=settings.dispatch_lease_seconds, max_attempts=settings.dispatch_max_attempts
    )

    def deliver() -> int:
        return deliver_due(db, mailboxes, policy=policy) + deliver_notices(db, direct)

    return deliver
