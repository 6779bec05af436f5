"""A stand-in brief maker for delivery tests: real PNG and PDF bytes whose content depends on
the Scope and period it was asked for, so a test can tell which rule computed what arrived."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from secbot.access.scope import Scope
from secbot.engine import brief_maker
from secbot.engine.brief_maker import BriefMaker, BriefRequest
from secbot.engine.messages import Attachment, Reply

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width: int = 4, height: int = 3, shade: int = 0) -> bytes:
    """A valid greyscale PNG (decoders accept it), varying with `shade`."""
    rows = b"".join(
        b"\x00" + bytes([(shade + x + y) % 256 for x in range(width)]) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def pdf(text: str) -> bytes:
    """A one-page PDF whose page says `text` (enough for the signature and for byte checks)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(stream)}>>stream\n".encode()
        + stream
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def describe(scope: Scope, request: BriefRequest) -> str:
    parties = ",".join(sorted(scope.required)) or "-"
    return f"parties={parties} {request.start:%Y-%m-%d}..{request.end:%Y-%m-%d}"


def stand_in(session: Session, scope: Scope, request: BriefRequest) -> Reply:
    what = describe(scope, request)
    return Reply(
        f"TREND BRIEF for {request.reader}: {what}",
        attachments=(
            Attachment("brief-chart.png", "image/png", png(shade=len(what)), "Weekly reports"),
            Attachment("brief.pdf", "application/pdf", pdf(what), "The brief as a PDF"),
        ),
    )


@contextmanager
def using(maker: BriefMaker = stand_in) -> Iterator[None]:
    """Put `maker` in the brief seam for the duration (the verb and the scheduler use it)."""
    saved = brief_maker.MAKER[0]
    brief_maker.MAKER[0] = maker
    try:
        yield
    finally:
        brief_maker.MAKER[0] = saved
