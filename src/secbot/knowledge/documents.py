"""Read source documents (.md, .txt, .pdf, .docx) into a format-neutral list of blocks.

Readers keep only the structure each format really carries (headings, paragraphs, tables) and leave
the interpretation of paragraph numbering to the chunker, so one chunker serves every format. Text
is whitespace-normalised but never Unicode-folded: typographic quotes and dashes are part of what a
delegate quotes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from secbot.knowledge.pdf_cleanup import clean_pages

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx")
MARKDOWN_SUFFIXES = (".md", ".markdown")


class DocumentError(Exception):
    """A document cannot be used; names the file so an operator knows which one to fix."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)
        self.message = message


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE = "table"


@dataclass(frozen=True)
class Block:
    """One structural unit of a document, in reading order.

    `level` is the heading level (1 = top) and 0 otherwise; `rows` holds a table's cells (first row
    is the header when the table has more than one row) and is empty otherwise.
    """

    kind: BlockKind
    text: str
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Document:
    source: str
    title: str
    blocks: tuple[Block, ...]


def read_document(path: Path) -> Document:
    """Read one file, choosing the reader by extension; every failure is a `DocumentError`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            path,
            f"unsupported file type {suffix or '(none)'!r}; use {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if not path.is_file():
        raise DocumentError(path, "file does not exist or is not a regular file")
    if suffix in MARKDOWN_SUFFIXES:
        title, blocks = _read_markdown(_read_text(path))
    elif suffix == ".txt":
        title, blocks = None, _read_plain(_read_text(path))
    elif suffix == ".pdf":
        title, blocks = _read_pdf(path)
    else:
        from secbot.knowledge.docx_reader import read_docx

        title, blocks = read_docx(path)
    blocks = [b for b in blocks if b.text]
    if not blocks:
        raise DocumentError(path, "document contains no text")
    return Document(source=path.name, title=title or prettify_stem(path.stem), blocks=tuple(blocks))


def prettify_stem(stem: str) -> str:
    """Turn `security-management-model` into `Security management model` for citations."""
    words = re.sub(r"[_\-.]+", " ", stem).split()
    if not words:
        return stem
    text = " ".join(words)
    return text[0].upper() + text[1:]


# --- whitespace ------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse every kind of whitespace (tabs, no-break spaces, newlines) into single spaces."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def _join(parts: Iterable[str]) -> str:
    """Join wrapped lines; a line that starts with punctuation attaches without a space."""
    out = ""
    for part in parts:
        part = normalise(part)
        if not part:
            continue
        if out and not re.match(r"[,.;:!?)\]]", part):
            out += " "
        out += part
    return out


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise DocumentError(path, "file looks binary, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(path, "text is neither UTF-8 nor Windows-1252")


# --- plain text ------------------------------------------------------------------------------

# A line that is only a structural marker: `I.`, `16.`, `18`, `a.`, `(3)`.
_BARE_MARKER = re.compile(r"^(?:[IVXLC]+\.|\d{1,3}\.?|[a-z][.)]|\((?:\d{1,2}|[a-z]|[ivx]+)\))$")
# A line that starts with a marker followed by text: `16. Principles`, `a. Respect`, `(1) Civil`.
_LEADING_MARKER = re.compile(
    r"^(?:[IVXLC]+\.|\d{1,3}[.)]|[a-z][.)]|\((?:\d{1,2}|[a-z]|[ivx]+)\))\s"
)


def _read_plain(text: str) -> list[Block]:
    """One block per logical line: marker lines stand alone, wrapped prose lines are rejoined.

    Tab-indented runs become tables (the export format of word-processor tables): each tab-led
    line starts a cell, untabbed lines continue the current cell, and rows are cut at the width of
    the header row.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    current: list[str] = []
    previous_bare = False

    def flush() -> None:
        if current:
            blocks.append(Block(BlockKind.PARAGRAPH, _join(current)))
            current.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("\t") and index + 1 < len(lines) and lines[index + 1].startswith("\t"):
            flush()
            table, index = _plain_table(lines, index)
            if table is not None:
                blocks.append(table)
            previous_bare = False
            continue
        stripped = normalise(line)
        index += 1
        if not stripped:
            flush()
            previous_bare = False
            continue
        is_bare = bool(_BARE_MARKER.match(stripped))
        if is_bare or previous_bare or _LEADING_MARKER.match(stripped):
            flush()
        current.append(stripped)
        if is_bare:
            flush()
        previous_bare = is_bare
    flush()
    return blocks


def _plain_table(lines: list[str], start: int) -> tuple[Block | None, int]:
    cells: list[list[str]] = []
    header_width = 0
    index = start
    while index < len(lines):
        line = lines[index]
        if line.startswith("\t"):
            cells.append([line.strip()])
            if header_width == 0 and (index + 1 >= len(lines) or not lines[index + 1].strip()):
                header_width = len(cells)
        elif line.strip():
            if _BARE_MARKER.match(line.strip()):
                break  # a numbered paragraph after the table
            cells[-1].append(line.strip())
        index += 1
    width = header_width or len(cells)
    texts = [_cell_text(parts) for parts in cells]
    rows = tuple(tuple(texts[i : i + width]) for i in range(0, len(texts), width))
    return table_block(rows), index


def _cell_text(parts: list[str]) -> str:
    """Keep numbered items inside a cell on their own lines; rejoin anything else that wrapped."""
    items: list[list[str]] = []
    for part in parts:
        if not items or re.match(r"^\d{1,2}[.)]\s", part):
            items.append([part])
        else:
            items[-1].append(part)
    return "\n".join(_join(item) for item in items)


def _cell_lines(cell: str) -> str:
    return "\n".join(normalise(line) for line in cell.split("\n") if line.strip())


def table_block(rows: Iterable[Iterable[str]]) -> Block | None:
    clean = tuple(
        row for row in (tuple(_cell_lines(c) for c in r) for r in rows) if any(cell for cell in row)
    )
    if not clean:
        return None
    text = "\n".join(" | ".join(normalise(cell) for cell in row) for row in clean)
    return Block(BlockKind.TABLE, text, rows=clean)


# --- Markdown --------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _read_markdown(text: str) -> tuple[str | None, list[Block]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _skip_front_matter(lines)
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(BlockKind.PARAGRAPH, _join(paragraph)))
            paragraph.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if fence := _FENCE.match(line):
            flush()
            body: list[str] = []
            while index < len(lines) and not lines[index].lstrip().startswith(fence.group(1)):
                body.append(lines[index].rstrip())
                index += 1
            index += 1
            code = "\n".join(body).strip("\n")
            if code.strip():
                blocks.append(Block(BlockKind.PARAGRAPH, code))
            continue
        if heading := _ATX.match(line):
            flush()
            blocks.append(Block(BlockKind.HEADING, normalise(heading.group(2)), len(heading[1])))
            continue
        if paragraph and len(paragraph) == 1 and _SETEXT.match(line) and line.strip():
            level = 1 if line.strip().startswith("=") else 2
            blocks.append(Block(BlockKind.HEADING, normalise(paragraph[0]), level))
            paragraph.clear()
            continue
        if not line.strip():
            flush()
            continue
        if line.lstrip().startswith("|"):
            flush()
            raw_rows = [line]
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                raw_rows.append(lines[index])
                index += 1
            table = table_block(
                [c for c in row.strip().strip("|").split("|")]
                for row in raw_rows
                if not _TABLE_SEPARATOR.match(row)
            )
            if table is not None:
                blocks.append(table)
            continue
        stripped = line.strip()
        if stripped.startswith(">"):
            stripped = stripped.lstrip(">").strip()
        if _LIST_ITEM.match(line):
            flush()
        paragraph.append(stripped)
    flush()
    title = next((b.text for b in blocks if b.kind is BlockKind.HEADING), None)
    return title, blocks


def _skip_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                return lines[end + 1 :]
    return lines


# --- PDF -------------------------------------------------------------------------------------


def _page_text(page: Any) -> str:
    """Layout mode keeps vertical gaps as blank lines (paragraph breaks) and puts headers and
    footers where they are printed; plain extraction is the fallback."""
    try:
        return str(page.extract_text(extraction_mode="layout") or "")
    except Exception:  # pypdf's layout mode fails on some fonts; the plain mode rarely does
        return str(page.extract_text() or "")


MAX_PDF_PAGES = 2000
"""The longest official texts run to a few hundred pages; more would hold the ingest for long."""


def _read_pdf(path: Path) -> tuple[str | None, list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(path, "PDF is encrypted")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentError(path, f"PDF has over {MAX_PDF_PAGES} pages; split it first")
        pages = [_page_text(page) for page in reader.pages]
        metadata = reader.metadata
        title = normalise(str(metadata.title)) if metadata and metadata.title else None
    except DocumentError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(path, f"cannot read PDF: {exc}") from exc
    return title or None, _read_plain(clean_pages(pages))
