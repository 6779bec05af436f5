"""Sending files (a reply's attachments, a scheduled brief's chart and PDF) the way each platform
wants them. Shared by the interactive transports and the outbox senders, so a file looks the
same whether it answers a question or arrives on a schedule."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot, InputFile

CAPTION_LIMIT = 1024  # Telegram's caption limit (UTF-16 units; our captions are short and BMP)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class FileLike(Protocol):
    """engine.messages.Attachment and alerts.brief_outbox.OutboxFile both fit."""

    @property
    def filename(self) -> str: ...
    @property
    def mime(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def caption(self) -> str: ...
    @property
    def is_image(self) -> bool: ...


async def telegram_send_files(bot: Bot, chat_id: int, files: Sequence[FileLike]) -> list[int]:
    """An image as a photo (shown inline), anything else as a document; returns message ids."""
    sent: list[int] = []
    for f in files:
        upload = InputFile(f.data, filename=f.filename)
        caption = f.caption[:CAPTION_LIMIT] or None
        if f.is_image:
            message = await bot.send_photo(chat_id, upload, caption=caption)
        else:
            message = await bot.send_document(chat_id, upload, caption=caption)
        sent.append(message.message_id)
    return sent


async def slack_upload(
    client: AsyncWebClient,
    channel: str,
    files: Sequence[FileLike],
    *,
    thread_ts: str | None = None,
) -> list[str]:
    """Slack's external upload (files.getUploadURLExternal, POST the bytes to the URL it gives,
    files.completeUploadExternal into the channel): slack_sdk's files_upload_v2 makes exactly
    these calls, on the client's base URL. Returns the file ids."""
    if not files:
        return []
    response = await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        file_uploads=[
            {"content": f.data, "filename": f.filename, "title": f.caption or f.filename}
            for f in files
        ],
    )
    return [str(item.get("id")) for item in response.get("files") or []]


def safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).lstrip(".") or "file"
    return cleaned[:120]


def console_save(
    root: Path, chat_dir: str, files: Sequence[FileLike], *, stamp: str | None = None
) -> list[Path]:
    """`<root>/<chat_dir>/<timestamp>-<filename>`, written whole (temporary file, fsync,
    rename), so a path that is printed always holds the complete file."""
    folder = root / chat_dir
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp or time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    paths: list[Path] = []
    for n, f in enumerate(files):
        target = folder / f"{stamp}-{n + 1}-{safe_name(f.filename)}"
        temporary = target.with_name(target.name + ".part")
        with temporary.open("wb") as handle:
            handle.write(f.data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)
        paths.append(target)
    return paths
