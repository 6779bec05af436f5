"""A document read as the tree its own numbering makes: sections, numbered paragraphs, lettered
items and sub-items, tables, and plain text between them. Chunking (chunking.py) then sizes
what this finds; citations come from the locators built here ("para 15", "para 1 e.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from secbot.knowledge.documents import MARKDOWN_SUFFIXES, Block, BlockKind, Document
from secbot.knowledge.official import OPENER, Official

ELLIPSIS = "…"
LEAD_IN_CHARS = 240


_NOT_AN_END = re.compile(r"^(?:\(?[0-9a-zA-Z]{1,3}[.)]|(?:\w+/)*[A-Z]{1,5}\.|(?:\w\.){2,})$")


def sentences(line: str) -> list[str]:
    """Split prose at sentence ends, but not after `1.`, `a.`, `AG/RES.` or `e.g.`."""
    found: list[str] = []
    current: list[str] = []
    tokens = line.split()
    for index, token in enumerate(tokens):
        current.append(token)
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if not following or _NOT_AN_END.match(token):
            continue
        if token[-1] in ";:" or (token[-1] in '.!?…”"' and not following[0].islower()):
            found.append(" ".join(current))
            current = []
    if current:
        found.append(" ".join(current))
    return found


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


def pretty(text: str, *, min_words: int = 2) -> str:
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
class Node:
    """A numbered paragraph (`15.`), a lettered item (`a.`) or a sub-item (`(3)`)."""

    label: str
    locator: str
    lines: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    lead_in: bool = False
    """Official documents: a split-off sub-point repeats its paragraph's lead-in, not only the
    number, since "(b) the exchange of information" alone does not say who must do it."""

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
        if self.lead_in and len(text) > LEAD_IN_CHARS:
            text = text[:LEAD_IN_CHARS].rsplit(" ", 1)[0]
        elif len(text) > 100 and not self.lead_in:
            # keep a run-in title such as "Key Actors." or "Nature of the Proposed Model."
            first = sentences(text)[0]
            text = first if len(first) <= 40 and len(first.split()) <= 5 else ""
        return f"{self.label} {text} {ELLIPSIS} ".replace("  ", " ")

    def deepest(self) -> Node:
        return self.children[-1].deepest() if self.children else self


@dataclass
class Unit:
    """Something that becomes one or more chunks, tagged with where it sits in the document."""

    section: str
    base: str = ""
    lines: list[str] = field(default_factory=list)
    node: Node | None = None
    table: tuple[int, tuple[tuple[str, ...], ...]] | None = None
    part: str = "body"
    """Where an official document's paragraph sits: preamble, operative, annex, heading, body."""
    ordinal: int = 0
    """An unnumbered paragraph's place among the unnumbered ones of its part (cited by it)."""


class Parser:
    def __init__(self, doc: Document, official: Official | None = None) -> None:
        self.doc = doc
        self.official = official
        self.part = official.initial if official else "body"
        # Markdown numbers list items, not citable paragraphs, unless the text is official
        self.markers = official is not None or not doc.source.lower().endswith(MARKDOWN_SUFFIXES)
        self.units: list[Unit] = []
        self.headings: list[tuple[int, str]] = []
        self.section = ""
        self.current: Unit | None = None
        self.pending_roman: str | None = None
        self.tables = 0
        self.last_number = 0
        self.last_roman = 0
        self.title_heading = _title_heading(doc)

    def parse(self) -> list[Unit]:
        start = self.official.skip if self.official else 0
        for index, block in enumerate(self.doc.blocks):
            if index < start or (self.official and self._structural(block)):
                continue
            if block.kind is BlockKind.HEADING:
                if index != self.title_heading:
                    self._heading(block.level, block.text)
            elif block.kind is BlockKind.TABLE:
                self._close_roman()
                self.tables += 1
                self.current = None
                self.units.append(Unit(self.section, table=(self.tables, block.rows)))
            else:
                self._paragraph(block)
        self._close_roman()
        units = [u for u in self.units if u.lines or u.node or u.table]
        return self.official.finish(units) if self.official else units

    def _structural(self, block: Block) -> bool:
        """Official documents: lines that set the part (opener, `Annex`, `RESOLVES:`) or carry
        nothing to cite (separators, footnotes, the plenary-meeting line) make no passage."""
        assert self.official is not None
        if block.kind is BlockKind.PARAGRAPH and (rule := re.match(r"^_{3,}\s*", block.text)):
            # a rule before footnotes: what follows is not part of the last paragraph
            self.part, self.current = "body", None
            if block.text[rule.end() :]:
                self._append(block.text[rule.end() :])
            return True
        part = self.official.part_for(block.text, self.part)
        if part is None:
            return False
        if part != self.part and part == "annex":
            self.last_number = 0
        self.part = part
        self.current = None
        return True

    def _heading(self, level: int, text: str) -> None:
        self._close_roman()
        roman = _ROMAN.match(text)
        if roman and roman["rest"]:
            text = f"{roman['label']}. {pretty(roman['rest'])}"
        else:
            text = pretty(text)
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
            node = Node(f"{m['label']}.", f"para {m['label']}", lead_in=self.official is not None)
            if self.part == "preamble":
                self.part = "operative"
            self.current = Unit(self.section, node=node, part=self.part)
            self.units.append(self.current)
            self._add_line(node, m["rest"])
            return True
        para = self.current.node if self.current else None
        if para is None:
            return False
        if m := _LETTER.match(text):
            item = Node(f"{m['label']}.", f"{para.locator} {m['label']}.", lead_in=para.lead_in)
            para.children.append(item)
            self._add_line(item, m["rest"])
            return True
        if m := _SUB.match(text):
            parent = para.children[-1] if para.children else para
            if self.official is not None:
                parent = _sub_parent(para, m["label"])
            sub = Node(f"({m['label']})", f"{parent.locator} ({m['label']})", lead_in=para.lead_in)
            parent.children.append(sub)
            self._add_line(sub, m["rest"])
            return True
        return False

    @staticmethod
    def _add_line(node: Node, text: str | None) -> None:
        if text:
            node.lines.append(text)

    def _append(self, text: str) -> None:
        if self.official is not None and (self.current is None or self.current.node is None):
            if self.part == "preamble" and OPENER.operative(text):
                self.part = "operative"  # an unnumbered operative paragraph ("Decides to ...")
            elif self.part == "body" and self.official.numbered and self.last_number == 0:
                self.part = "preamble"  # what precedes a declaration's numbered paragraphs
            self.current = None
            self.units.append(Unit(self.section, lines=[text], part=self.part))
            return
        if self.current is None:
            base = " > ".join(heading for _, heading in self.headings)
            self.current = Unit(self.section, base=base)
            self.units.append(self.current)
        if self.current.node is not None:
            self.current.node.deepest().lines.append(text)
        else:
            self.current.lines.append(text)

    def _close_roman(self) -> None:
        if self.pending_roman is not None:
            label, self.pending_roman = self.pending_roman, None
            self._heading(1, f"{label}.")


_ROMAN_SUB = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x)$")


def _sub_parent(para: Node, label: str) -> Node:
    """`(a)` `(b)` are the paragraph's items; `(i)` `(ii)` belong to the item before them, unless
    `(i)` simply follows `(h)`."""
    last = para.children[-1] if para.children else None
    if last is None or not _ROMAN_SUB.match(label):
        return para
    previous = last.label.strip("().")
    if label == "i" and previous == "h":
        return para
    if label in ("v", "x") and previous in ("u", "w"):
        return para
    return last


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
