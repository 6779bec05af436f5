"""A real chat session on the terminal: each `--as NAME` is its own account, and must join.

Reads one message a line until end of input, so it works interactively and in a pipe. Buttons
are shown numbered; typing the number presses the button.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from secbot.domain.enums import ChatKind
from secbot.engine.engine import Engine
from secbot.engine.messages import Button, Inbound, Reply

PLATFORM = "console"


def render(replies: list[Reply]) -> tuple[str, list[Button]]:
    """Text for the terminal, plus the buttons in the order they were numbered."""
    out: list[str] = []
    numbered: list[Button] = []
    for reply in replies:
        out.append(reply.text)
        for row in reply.buttons:
            cells = []
            for button in row:
                numbered.append(button)
                cells.append(f"[{len(numbered)}] {button.label}")
            out.append("  ".join(cells))
    return "\n".join(out), numbered


class ConsoleChat:
    def __init__(self, engine: Engine, name: str, *, chat: str | None = None) -> None:
        self.engine = engine
        self.name = name
        self.chat = chat
        self.buttons: list[Button] = []
        self.count = 0

    def send(self, line: str) -> list[Reply]:
        self.count += 1
        payload = None
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
            payload = self.buttons[int(stripped) - 1].payload
        inbound = Inbound(
            platform=PLATFORM,
            workspace="",
            user_id=self.name,
            chat_id=self.chat or self.name,
            chat_kind=ChatKind.GROUP if self.chat else ChatKind.DIRECT,
            text=line,
            payload=payload,
            display_name=self.name,
            message_key=None,
            addressed=not self.chat or stripped.startswith(("/", "@")) or payload is not None,
        )
        replies = self.engine.handle(inbound)
        if any(r.buttons for r in replies) or replies:
            self.buttons = render(replies)[1]
        return replies

    def run(self, lines: Iterable[str], out: TextIO, *, prompt: bool = False) -> int:
        if prompt:
            out.write(f"secbot console, chatting as {self.name!r}. Ctrl-D to leave.\n> ")
            out.flush()
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if prompt:
                    out.write("> ")
                    out.flush()
                continue
            text, _ = render(self.send(line))
            if text:
                out.write(text + "\n")
            if prompt:
                out.write("> ")
            out.flush()
        return self.count
