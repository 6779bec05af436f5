"""Cut a `Document` into retrieval chunks that follow the document's own numbering.

Delegations cite the model as "para 15" or "para 1 e.", so a chunk is a numbered paragraph with its
lettered sub-items, cut finer only when it is too long, and its locator is the citation a reader
can check against the printed text. Markdown is cut by headings instead (a list item there is not
a citable paragraph), and tables by row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from secbot.knowledge.documents import MARKDOWN_SUFFIXES, Block, BlockKind, Document

DEFAULT_MAX_CHARS = 1200
ELLIPSIS = "…"


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    title: str
    section: str
    locator: str
    text: str
    position: int

    @property
    def citation(self) -> str:
        """How a chat reply cites the chunk, e.g. `Security management model, para 15`."""
        return f"{self.title}, {self.locator}"


def chunk_id(source: str, locator: str, text: str) -> str:
    """Content-derived id: re-chunking an unchanged document yields the same ids."""
    return hashlib.sha1(f"{source}\n{locator}\n{text}".encode()).hexdigest()[:16]


def locator_matches(locator: str, prefix: str) -> bool:
    """Prefix match that respects number boundaries: `para 1` matches `para 1 e.`, not `para 15`."""
    if not locator.startswith(prefix):
        return False
    if len(locator) == len(prefix) or not prefix or not prefix[-1].isalnum():
        return True
    return not locator[len(prefix)].isalnum()


# --- markers ---------------------------------------------------------------------------------

_ROMAN = re.compile(r"^(?P<label>[IVXLC]+)\.(?:\s+(?P<rest>.+))?$")
_NUMBER = re.compile(r"^(?P<label>\d{1,3})(?:\.(?:\s+(?P<rest>.+))?|\.?)$")
_LETTER = re.compile(r"^(?P<label>[a-z])[.)](?:\s+(?P<rest>.+))?$")
_SUB = re.compile(r"^\((?P<label>\d{1,2}|[ivx]+|[a-z])\)(?:\s+(?P<rest>.+))?$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_value(label: str) -> int:
    values = [_ROMAN_VALUES[c] for c in label]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


_MAX_SECTION_TITLE = 120


def _pretty(text: str, *, min_words: int = 2) -> str:
    """Sentence-case ALL-CAPS headings and cells so they read naturally in a citation.

    One capitalised word is left alone by default: it is more often a code (`RT-04`, `TLP`).
    """
    letters = [c for c in text if c.isalpha()]
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) >= min_words and len(letters) >= 4 and all(c.isupper() for c in letters):
        lowered = text.lower()
        return lowered[0].upper() + lowered[1:]
    return text


# --- the paragraph tree ----------------------------------------------------------------------


@dataclass
class _Node:
    """A numbered paragraph (`15.`), a lettered item (`a.`) or a sub-item (`(3)`)."""

    label: str
    locator: str
    lines: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def head(self) -> str:
        return f"{self.label} {self.text}".strip()

    def render(self) -> str:
        return "\n".join([self.head(), *(child.render() for child in self.children)])

    def context(self) -> str:
        """What a continuation part repeats so it still says whose sub-items it holds."""
        text = self.text
        if len(text) > 100:
            # keep a run-in title such as "Key Actors." or "Nature of the Proposed Model."
            first = _sentences(text)[0]
            text = first if len(first) <= 40 and len(first.split()) <= 5 else ""
        return f"{self.label} {text} {ELLIPSIS} ".replace("  ", " ")

    def deepest(self) -> _Node:
        return self.children[-1].deepest() if self.children else self


@dataclass
class _Unit:
    """Something that becomes one or more chunks, tagged with where it sits in the document."""

    section: str
    base: str = ""
    lines: list[str] = field(default_factory=list)
    node: _Node | None = None
    table: tuple[int, tuple[tuple[str, ...], ...]] | None = None


class _Parser:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.markers = not doc.source.lower().endswith(MARKDOWN_SUFFIXES)
        self.units: list[_Unit] = []
        self.headings: list[tuple[int, str]] = []
        self.section = ""
        self.current: _Unit | None = None
        self.pending_roman: str | None = None
        self.tables = 0
        self.last_number = 0
        self.last_roman = 0
        self.title_heading = _title_heading(doc)

    def parse(self) -> list[_Unit]:
        for index, block in enumerate(self.doc.blocks):
            if block.kind is BlockKind.HEADING:
                if index != self.title_heading:
                    self._heading(block.level, block.text)
            elif block.kind is BlockKind.TABLE:
                self._close_roman()
                self.tables += 1
                self.current = None
                self.units.append(_Unit(self.section, table=(self.tables, block.rows)))
            else:
                self._paragraph(block)
        self._close_roman()
        return [u for u in self.units if u.lines or u.node or u.table]

    def _heading(self, level: int, text: str) -> None:
        self._close_roman()
        roman = _ROMAN.match(text)
        if roman and roman["rest"]:
            text = f"{roman['label']}. {_pretty(roman['rest'])}"
        else:
            text = _pretty(text)
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text))
        self.section = self.headings[0][1]
        self.current = None

    def _paragraph(self, block: Block) -> None:
        text = block.text
        if self.pending_roman is not None:
            label, self.pending_roman = self.pending_roman, None
            if len(text) <= _MAX_SECTION_TITLE and not _is_marker(text):
                self._heading(1, f"{label}. {text}")
                return
            self._heading(1, f"{label}.")
        if self.markers and self._marker(text):
            return
        self._append(text)

    def _marker(self, text: str) -> bool:
        """Open the structure a marker names; False when `text` is ordinary prose."""
        if not self.markers:
            return False
        m = _ROMAN.match(text)
        # only a next section number (an excerpt may skip a few): `C.` in a list is not section 100
        if m and 0 < _roman_value(m["label"]) - self.last_roman <= 3:
            if m["rest"] is None:
                self._close_roman()
                self.last_roman = _roman_value(m["label"])
                self.pending_roman = m["label"]
                return True
            if len(m["rest"]) <= _MAX_SECTION_TITLE:
                self.last_roman = _roman_value(m["label"])
                self._heading(1, text)
                return True
        m = _NUMBER.match(text)
        if m and (text.endswith(".") or m["rest"] or int(m["label"]) == self.last_number + 1):
            # a bare number without a dot is only trusted in sequence (not a stray page number)
            self.last_number = int(m["label"])
            node = _Node(f"{m['label']}.", f"para {m['label']}")
            self.current = _Unit(self.section, node=node)
            self.units.append(self.current)
            self._add_line(node, m["rest"])
            return True
        para = self.current.node if self.current else None
        if para is None:
            return False
        if m := _LETTER.match(text):
            item = _Node(f"{m['label']}.", f"{para.locator} {m['label']}.")
            para.children.append(item)
            self._add_line(item, m["rest"])
            return True
        if m := _SUB.match(text):
            parent = para.children[-1] if para.children else para
            sub = _Node(f"({m['label']})", f"{parent.locator} ({m['label']})")
            parent.children.append(sub)
            self._add_line(sub, m["rest"])
            return True
        return False

    @staticmethod
    def _add_line(node: _Node, text: str | None) -> None:
        if text:
            node.lines.append(text)

    def _append(self, text: str) -> None:
        if self.current is None:
            base = " > ".join(heading for _, heading in self.headings)
            self.current = _Unit(self.section, base=base)
            self.units.append(self.current)
        if self.current.node is not None:
            self.current.node.deepest().lines.append(text)
        else:
            self.current.lines.append(text)

    def _close_roman(self) -> None:
        if self.pending_roman is not None:
            label, self.pending_roman = self.pending_roman, None
            self._heading(1, f"{label}.")


def _is_marker(text: str) -> bool:
    return any(p.match(text) for p in (_ROMAN, _NUMBER, _LETTER, _SUB))


def _title_heading(doc: Document) -> int | None:
    """Index of the heading used as the title: locators omit it since every citation repeats it."""
    headings = [(i, b) for i, b in enumerate(doc.blocks) if b.kind is BlockKind.HEADING]
    if not headings or headings[0][1].text != doc.title:
        return None
    first_index, first = headings[0]
    if any(b.level <= first.level for _, b in headings[1:]):
        return None
    return first_index


# --- sizing ----------------------------------------------------------------------------------


_NOT_AN_END = re.compile(r"^(?:\(?[0-9a-zA-Z]{1,3}[.)]|(?:\w+/)*[A-Z]{1,5}\.|(?:\w\.){2,})$")


def _sentences(line: str) -> list[str]:
    """Split prose at sentence ends, but not after `1.`, `a.`, `AG/RES.` or `e.g.`."""
    sentences: list[str] = []
    current: list[str] = []
    tokens = line.split()
    for index, token in enumerate(tokens):
        current.append(token)
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if not following or _NOT_AN_END.match(token):
            continue
        if token[-1] in ";:" or (token[-1] in '.!?…”"' and not following[0].islower()):
            sentences.append(" ".join(current))
            current = []
    if current:
        sentences.append(" ".join(current))
    return sentences


def _pieces(text: str) -> list[tuple[str, str]]:
    """Sentences with the separator that joined each to the one before (space or line break)."""
    pieces: list[tuple[str, str]] = []
    for line in text.split("\n"):
        for index, sentence in enumerate(_sentences(line)):
            pieces.append((" " if index else "\n", sentence))
    return pieces


def _split_text(text: str, context: str, max_chars: int, prefix: str = "") -> list[str]:
    """Greedy sentence packing; every part after the first repeats `context` to stand on its own.

    `prefix` (a paragraph label, a table row name) starts the first part and is never separated
    from its text, so a part never consists of a bare `1.`.
    """
    if len(prefix + text) <= max_chars:
        return [prefix + text]
    repeated = context.rstrip().removesuffix(ELLIPSIS).rstrip()
    parts: list[str] = []
    current = ""
    for separator, piece in _pieces(text):
        if not current:
            current = (context if parts else prefix) + piece
        elif len(current) + len(separator) + len(piece) > max_chars:
            if current != repeated:  # a run-in title alone adds nothing the next part lacks
                parts.append(current)
            current = context + piece
        else:
            current += separator + piece
    if current:
        parts.append(current)
    return parts


def _split_node(node: _Node, context: str, max_chars: int) -> list[tuple[str, str]]:
    """(locator, text) parts: whole node if it fits, else packed runs of its direct children."""
    whole = context + node.render()
    if len(whole) <= max_chars:
        return [(node.locator, whole)]
    child_context = context + node.context()
    head_parts = _split_text(node.text, child_context, max_chars, f"{context}{node.label} ")
    if not node.children:
        return [(node.locator, t) for t in head_parts]
    parts: list[tuple[str, str]] = []
    group: list[_Node] = []
    parts.extend((node.locator, t) for t in head_parts[:-1])
    current, with_head = head_parts[-1], True

    def flush() -> None:
        nonlocal current, with_head
        if current and (group or with_head):
            parts.append((_range_locator(node, group, with_head), current))
        group.clear()
        current, with_head = "", False

    for child in node.children:
        rendered = child.render()
        if current and len(f"{current}\n{rendered}") <= max_chars:
            current = f"{current}\n{rendered}"
            group.append(child)
            continue
        flush()
        if len(child_context + rendered) <= max_chars:
            current = child_context + rendered
            group.append(child)
        else:
            parts.extend(_split_node(child, child_context, max_chars))
    flush()
    return parts


def _range_locator(node: _Node, group: list[_Node], with_head: bool) -> str:
    if with_head or not group:
        return node.locator
    first, last = group[0].label, group[-1].label
    return f"{node.locator} {first}" if first == last else f"{node.locator} {first}–{last}"


def _table_parts(
    number: int, rows: tuple[tuple[str, ...], ...], max_chars: int
) -> list[tuple[str, str]]:
    header = rows[0] if len(rows) > 1 else ()
    body = rows[1:] if header else rows
    parts: list[tuple[str, str]] = []
    for index, row in enumerate(body, start=1):
        name = _pretty(row[0]).replace("\n", " ") if row and row[0] else f"row {index}"
        locator = f"Table {number}: {name}"
        lines = [locator]
        for column, cell in enumerate(row[1:], start=1):
            label = _pretty(header[column], min_words=1) if column < len(header) else ""
            value = _pretty(cell) if "\n" not in cell else cell
            separator = "\n" if "\n" in value else " "
            lines.append(f"{label}:{separator}{value}" if label else value)
        text = "\n".join(lines[1:])
        context = f"{locator} {ELLIPSIS} "
        parts.extend((locator, t) for t in _split_text(text, context, max_chars, f"{locator}\n"))
    return parts


def _text_parts(unit: _Unit, max_chars: int) -> list[tuple[str, str]]:
    context = f"{unit.base}\n" if unit.base else ""
    parts = _split_text("\n".join(unit.lines), context, max_chars, context)
    return [(unit.base, t) for t in parts]


def chunk_document(doc: Document, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Chunks in reading order; a part exceeds `max_chars` only when one sentence does."""
    if max_chars < 80:
        raise ValueError("max_chars must be at least 80")
    chunks: list[Chunk] = []
    unnamed = 0
    for unit in _Parser(doc).parse():
        if unit.node is not None:
            parts = _split_node(unit.node, "", max_chars)
        elif unit.table is not None:
            parts = _table_parts(*unit.table, max_chars)
        else:
            parts = _text_parts(unit, max_chars)
        for locator, text in parts:
            if not locator:
                unnamed += 1
                locator = f"part {unnamed}"
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.source, locator, text),
                    source=doc.source,
                    title=doc.title,
                    section=unit.section,
                    locator=locator,
                    text=text,
                    position=len(chunks),
                )
            )
    return chunks
