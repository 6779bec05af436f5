"""What changes when a document is official (it has a title block): its parts (preamble,
operative, annex), how each passage is cited (`S/RES/2700 (2023), op. para 3 (b)`) and the
context header it is indexed with.

The paragraph tree (paragraph_tree.py) asks this module which lines set a part and which carry
nothing to cite; chunking asks it for locators and headers. A document without a title block
never reaches this module and is chunked as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from secbot.knowledge.documents import Document
from secbot.knowledge.title_block import DocMeta, read_title_block

if TYPE_CHECKING:
    from secbot.knowledge.paragraph_tree import Unit

TINY_CHARS = 80
"""An unnumbered paragraph shorter than this ("Meeting at the Ministerial level,") is merged
into the next one of its part: alone it would be a passage that answers nothing."""

_BODY_OPENER = re.compile(r"^(?:The|THE) [A-Z][\w ]{2,60},$")
_ANNEX = re.compile(r"^(?:annex|appendix)(?:\s+[IVXLC\d]{1,4})?\.?$", re.I)
_RESOLVES = re.compile(
    r"^(?:RESOLVES|DECIDES|DECLARES|AGREES|AGREE|DECLARE|RESOLVE|RECOMMENDS)(?: TO)?\s*:?$"
)
_NOTHING = re.compile(r"^[^A-Za-z]*$")
_FOOTNOTE = re.compile(r"^\[\^?\d{1,3}\]:")
_PLENARY = re.compile(r"^\d{1,3}(?:st|nd|rd|th) plenary (?:meeting|session)\b", re.I)
_OPERATIVE_VERB = re.compile(r"^(?:Further |Also |Strongly )?[A-Z][a-z]+(?:s|es) ")
_PARTICIPLE = re.compile(r"^(?:[A-Z][a-z]+ )?[A-Z]?[a-z]*ing\b")

_PREFIX = {"operative": "op. para", "preamble": "op. para", "annex": "annex, para", "body": "para"}
_UNNUMBERED = {"preamble": "preamble para", "operative": "op. part", "annex": "annex, para"}
_SECTION_WORDS = {
    "preamble": "preamble",
    "operative": "operative paragraph",
    "annex": "annex",
    "body": "paragraph",
    "heading": "heading",
}


class _Opener:
    @staticmethod
    def operative(text: str) -> bool:
        """An unnumbered operative paragraph in a preamble: "Decides to adopt ... ." (3rd-person
        verb, ends with a full stop), where a preambular one ends with a comma."""
        return (
            text.rstrip().endswith(".")
            and bool(_OPERATIVE_VERB.match(text))
            and not _PARTICIPLE.match(text)
        )


OPENER = _Opener()


@dataclass
class Official:
    meta: DocMeta
    skip: int
    numbered: bool
    """True when the document numbers its paragraphs: unnumbered ones are then cited by part."""
    initial: str = "body"
    """`preamble` when the title block ended with the body's name ("The Security Council,")."""

    def part_for(self, text: str, current: str) -> str | None:
        """The part a structural line switches to, `current` for a line to drop, or None for
        ordinary text."""
        line = text.strip()
        if _BODY_OPENER.match(line):
            return "annex" if current == "annex" else "preamble"
        if _ANNEX.match(line):
            return "annex"
        if _RESOLVES.match(line):
            return "annex" if current == "annex" else "operative"
        if _NOTHING.match(line) or _FOOTNOTE.match(line) or _PLENARY.match(line):
            return current
        return None

    def finish(self, units: list[Unit]) -> list[Unit]:
        """Merge tiny unnumbered paragraphs into the next one of their part; number the rest."""
        merged: list[Unit] = []
        carry: list[str] = []
        for index, unit in enumerate(units):
            following = units[index + 1] if index + 1 < len(units) else None
            if unit.node is None and unit.table is None and carry:
                unit.lines = [" ".join([*carry, *unit.lines[:1]]), *unit.lines[1:]]
                carry = []
            text = " ".join(unit.lines)
            if (
                unit.node is None
                and unit.table is None
                and len(text) < TINY_CHARS
                and following is not None
                and following.node is None
                and following.table is None
                and following.part == unit.part
            ):
                carry = [text]
                continue
            merged.append(unit)
        counters: dict[str, int] = {}
        for unit in merged:
            if unit.node is None and unit.table is None:
                counters[unit.part] = counters.get(unit.part, 0) + 1
                unit.ordinal = counters[unit.part]
        return merged

    def locator(self, unit: Unit, relative: str) -> tuple[str, str]:
        """(locator, para) as a diplomat cites the passage."""
        name = self.meta.name()
        if unit.node is not None:
            para = relative.removeprefix("para ").strip()
            prefix = _PREFIX.get(unit.part, "para")
            if self.meta.type != "resolution" and unit.part != "annex":
                prefix = "para"  # "Declaration of Kingstown, para 12"
            return f"{name}, {prefix} {para}", para
        if unit.table is not None:
            return f"{name}, {relative}", ""
        if unit.part == "body":
            word = "unnumbered para" if self.numbered else "para"
        elif unit.part == "annex" and self.numbered:
            word = "annex, unnumbered para"
        else:
            word = _UNNUMBERED.get(unit.part, unit.part)
        return f"{name}, {word} {unit.ordinal}", ""

    def header(self, unit: Unit, para: str) -> str:
        """The context header a passage is indexed with (never shown as its text)."""
        meta = self.meta
        words = [meta.title]
        if meta.symbol and meta.symbol not in meta.title:
            words.append(meta.symbol)
        if meta.body:
            words.append(meta.body)
        if meta.year and str(meta.year) not in " ".join(words):
            words.append(str(meta.year))
        if meta.series and meta.series not in meta.title.lower():
            words.append(meta.series)
        where = _SECTION_WORDS.get(unit.part, unit.part)
        if para:
            where = {"annex": "annex paragraph", "body": "paragraph"}.get(
                unit.part,
                "operative paragraph" if meta.type == "resolution" else "paragraph",
            )
            where = f"{where} {para}"
        return f"{', '.join(words)}: {where}"


def official_for(doc: Document) -> Official | None:
    meta, skip = read_title_block(doc.blocks)
    if meta is None:
        return None
    numbered = any(re.match(r"^\d{1,3}\.(?:\s|$)", b.text) for b in doc.blocks[skip:])
    opened = skip > 0 and bool(_BODY_OPENER.match(doc.blocks[skip - 1].text.strip()))
    return Official(meta, skip, numbered, "preamble" if opened else "body")
