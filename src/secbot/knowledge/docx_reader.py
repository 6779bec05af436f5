"""Word documents: headings by style, tables, and automatically numbered paragraphs.

Kept apart from documents.py (the format-neutral blocks and the other readers) because Word's
list numbering needs its own bookkeeping: the printed number is not in the paragraph's text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from secbot.knowledge.documents import Block, BlockKind, DocumentError, normalise, table_block


def read_docx(path: Path) -> tuple[str | None, list[Block]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _refuse_bombs(path)
    try:
        document = docx.Document(str(path))
        blocks = list(_docx_blocks(document.iter_inner_content()))
        core_title = normalise(document.core_properties.title or "")
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        SyntaxError,  # lxml.etree.XMLSyntaxError: a part too big or broken
    ) as exc:
        raise DocumentError(path, f"cannot read Word document: {exc}") from exc
    title: str | None = None
    kept: list[Block] = []
    for block in blocks:
        if block.kind is BlockKind.HEADING and block.level == 0:
            title = title or block.text
        else:
            kept.append(block)
    if title is None:
        title = core_title or next((b.text for b in kept if b.kind is BlockKind.HEADING), None)
    return title, kept


MAX_UNPACKED = 50 * 1024 * 1024
"""A Word file's parts, unpacked: the largest real texts are a few MB; more is a zip bomb."""
MAX_RATIO = 100


def _refuse_bombs(path: Path) -> None:
    """Check the zip's declared sizes before any part is inflated (an upload is small packed)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(path, f"cannot read Word document: {exc}") from exc
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED or any(
        p.file_size > MAX_RATIO * max(p.compress_size, 1024) for p in parts
    ):
        raise DocumentError(
            path, f"the Word document unpacks to {unpacked // 1_000_000} MB or packs too tightly"
        )


_LIST_LABELS = (
    lambda n: f"{n}.",
    lambda n: f"({chr(ord('a') + (n - 1) % 26)})",
    lambda n: f"({_roman(n)})",
)


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += digits
            n -= value
    return out


def _list_level(paragraph: Any, style: str) -> int | None:
    """Word numbers a list paragraph itself (the number is not in its text): its level, or None
    for a paragraph that is not numbered (bullets are not: they are not cited)."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    if num_pr is not None and num_pr.numId is not None and num_pr.numId.val:
        if "bullet" in style.lower():
            return None
        return int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
    if style.startswith("List Number"):
        suffix = style.removeprefix("List Number").strip()
        return int(suffix) - 1 if suffix.isdigit() else 0
    return None


def _docx_blocks(items: Iterator[Any]) -> Iterator[Block]:
    """Map Word styles to blocks: `Title` is level 0 (the title), `Heading N` is level N; an
    automatically numbered paragraph gets its printed number back (`3.`, `(b)`, `(ii)`), so the
    paragraph tree reads it as it reads a plain-text document."""
    counters = [0, 0, 0]
    for item in items:
        if hasattr(item, "rows"):
            rows = []
            for row in item.rows:
                cells: list[str] = []
                seen: list[Any] = []
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):  # merged: listed once per grid column
                        continue
                    seen.append(cell._tc)
                    cells.append(
                        "\n".join(normalise(p.text) for p in cell.paragraphs if p.text.strip())
                    )
                rows.append(tuple(cells))
            table = table_block(rows)
            if table is not None:
                yield table
            continue
        text = normalise(item.text)
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = _list_level(item, style)
        if level is not None:
            level = min(level, len(counters) - 1)
            counters[level] += 1
            counters[level + 1 :] = [0] * (len(counters) - level - 1)
            yield Block(BlockKind.PARAGRAPH, f"{_LIST_LABELS[level](counters[level])} {text}")
            continue
        if style == "Title":
            yield Block(BlockKind.HEADING, text, 0)
        elif match := re.fullmatch(r"Heading (\d)", style):
            yield Block(BlockKind.HEADING, text, int(match.group(1)))
        else:
            yield Block(BlockKind.PARAGRAPH, text)
