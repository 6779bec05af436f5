"""A real chat session on the terminal: each `--as NAME` is its own account, and must join.

Reads one message a line until end of input, so it works interactively and in a pipe. Buttons
are shown numbered; typing the number presses the button. With a data folder, a session keeps
its last buttons for the next session of the same account and chat (a restart loses no open
question), and shows the alerts delivered to its chat (see console_rooms).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from secbot.domain.enums import ChatKind
from secbot.engine.engine import Engine
from secbot.engine.messages import Button, Inbound, Reply
from secbot.transports.console_rooms import (
    ACK_LABEL,
    PLATFORM,
    DirectMailboxes,
    Mailboxes,
    file_name,
)
from secbot.transports.files_out import console_save


def render(replies: list[Reply], first: int = 1) -> tuple[str, list[Button]]:
    """Text for the terminal, plus the buttons in the order they were numbered."""
    out: list[str] = []
    numbered: list[Button] = []
    for reply in replies:
        out.append(reply.text)
        for row in reply.buttons:
            cells = []
            for button in row:
                numbered.append(button)
                cells.append(f"[{first + len(numbered) - 1}] {button.label}")
            out.append("  ".join(cells))
    return "\n".join(out), numbered


class ConsoleChat:
    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        chat: str | None = None,
        data_dir: Path | None = None,
        deliver: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        self.name = name
        self.chat = chat
        self.rows: list[tuple[Button, ...]] = []
        """The buttons last shown, row by row; typing N presses the Nth of them."""
        self.count = 0
        self.deliver = deliver
        """Delivers queued alerts to console chats (the console has no dispatcher of its own)."""
        self.mailboxes: Mailboxes | None = None
        if data_dir is not None:
            self.mailboxes = Mailboxes(data_dir) if chat else DirectMailboxes(data_dir)
        self.files_root = data_dir / "files" if data_dir is not None else None
        self.keep = (
            data_dir / "console" / "sessions" / f"{file_name(name)}@{file_name(self.chat_id)}"
            f"{'' if chat else '.direct'}.json"
            if data_dir is not None
            else None
        )
        self.seen = 0
        self.last_text = ""
        self.open_form = False
        """The last reply was a step of a form: the next session asks its question again."""
        self._load()

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.rows for button in row]

    @property
    def chat_id(self) -> str:
        return self.chat or self.name

    # -- what a session keeps for the next one -----------------------------------------------

    def _load(self) -> None:
        if self.keep is None or not self.keep.exists():
            return
        try:
            saved = json.loads(self.keep.read_text(encoding="utf-8"))
            self.rows = [tuple(Button(str(b), str(p)) for b, p in row) for row in saved["rows"]]
            self.last_text = str(saved.get("text", ""))
            self.seen = int(saved.get("seen", 0))
            self.open_form = bool(saved.get("open_form", False))
        except (ValueError, KeyError, TypeError):
            self.rows, self.last_text, self.seen = [], "", 0

    def _save(self) -> None:
        if self.keep is None:
            return
        self.keep.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "rows": [[[b.label, b.payload] for b in row] for row in self.rows],
            "text": self.last_text,
            "seen": self.seen,
            "open_form": self.open_form,
        }
        temporary = self.keep.with_suffix(".tmp")
        temporary.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.keep)

    def resume(self) -> str:
        """The question of a form the last session left open, shown again with its buttons."""
        if not self.rows or not self.open_form:
            return ""
        text, _ = render([Reply(self.last_text, tuple(self.rows))])
        return "Where we left off:\n" + text

    # -- messages ------------------------------------------------------------------------------

    def send(self, line: str) -> list[Reply]:
        self.count += 1
        payload = None
        stripped = line.strip()
        buttons = self.buttons
        if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
            payload = buttons[int(stripped) - 1].payload
        inbound = Inbound(
            platform=PLATFORM,
            workspace="",
            user_id=self.name,
            chat_id=self.chat_id,
            chat_kind=ChatKind.GROUP if self.chat else ChatKind.DIRECT,
            text=line,
            payload=payload,
            display_name=self.name,
            message_key=None,
            addressed=not self.chat or stripped.startswith(("/", "@")) or payload is not None,
        )
        replies = [self._save_files(r) for r in self.engine.handle(inbound)]
        if replies:
            text, _ = render(replies)
            self.rows = [row for r in replies for row in r.buttons]
            self.open_form = any(r.form and r.buttons for r in replies)
            self.last_text = "\n".join(r.text for r in replies if r.buttons) if self.rows else text
        self._save()
        return replies

    def _save_files(self, reply: Reply) -> Reply:
        """A terminal shows no files: they are written under the data dir and their paths
        added to the text (`<data dir>/files/<chat>/<stamp>-<n>-<filename>`)."""
        if not reply.attachments:
            return reply
        if self.files_root is None:
            lines = [f"📎 {a.filename} (not saved: no data folder)" for a in reply.attachments]
        else:
            paths = console_save(self.files_root, file_name(self.chat_id), reply.attachments)
            lines = [f"📎 {path}" for path in paths]
        return dataclasses.replace(reply, text="\n".join([reply.text, *lines]))

    def arrivals(self) -> str:
        """Alert messages delivered to this chat since this account last looked, each with its
        Acknowledge button numbered after the buttons already shown; in a direct chat, the
        account's direct notices (alerts go to rooms only)."""
        if self.deliver is not None:
            self.deliver()
        if self.mailboxes is None:
            return ""
        new = self.mailboxes.read(self.chat_id)[self.seen :]
        if not new:
            return ""
        self.seen += len(new)
        out = []
        for message in new:
            block = [message.text, *(f"📎 {path}" for path in message.files)]
            if message.ack_payload:
                self.rows.append((Button(ACK_LABEL, message.ack_payload),))
                block.append(f"[{len(self.buttons)}] {ACK_LABEL}")
            out.append("\n".join(block))
        self.last_text = out[-1].rsplit("\n", 1)[0]
        self._save()
        return "\n".join(out)

    def run(self, lines: Iterable[str], out: TextIO, *, prompt: bool = False) -> int:
        if prompt:
            out.write(f"secbot console, chatting as {self.name!r}. Ctrl-D to leave.\n")
        for block in (self.resume(), self.arrivals()):
            if block:
                out.write(block + "\n")
        if prompt:
            out.write("> ")
        out.flush()
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if prompt:
                    out.write("> ")
                    out.flush()
                continue
            text, _ = render(self.send(line))
            arrived = self.arrivals()
            for block in (text, arrived):
                if block:
                    out.write(block + "\n")
            if prompt:
                out.write("> ")
            out.flush()
        return self.count
