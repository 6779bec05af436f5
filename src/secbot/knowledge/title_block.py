"""Read an official document's title block (symbol, distribution line, date, meeting, body) into
metadata, so it identifies every passage instead of competing with them as a passage of its own.

Works on the format-neutral blocks of `documents.py`, so .txt, .md, .pdf and .docx share it. A
document without a recognisable title block (a plain note, the seed text) gets `None` and is
chunked exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from secbot.knowledge.documents import Block, BlockKind

DOC_TYPES = (
    "resolution",
    "presidential_statement",
    "declaration",
    "conclusions",
    "report",
    "statement",
    "other",
)


@dataclass(frozen=True)
class DocMeta:
    """The document-level half of the metadata contract (see docs/decisions/0017)."""

    symbol: str = ""
    number: str = ""
    year: int = 0
    date: str = ""
    type: str = "other"
    body: str = ""
    title: str = ""
    series: str = ""
    subject: str = ""

    def name(self) -> str:
        """How a diplomat names the document at the start of a citation."""
        return self.symbol or self.title


_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}),? (\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH}) (\d{{1,2}}),? (\d{{4}})\b", re.IGNORECASE)

_SYMBOLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bS/RES/(\d{1,5})\s*\((\d{4})\)"), "resolution"),
    (re.compile(r"\bS/PRST/(\d{4})/(\d{1,3})\b"), "presidential_statement"),
    (re.compile(r"\bA/RES/(\d{1,3})/(\d{1,4})\b"), "resolution"),
    (
        re.compile(r"\b([A-Z]{1,6})/RES\.?\s*(\d{1,5})\s*\(([IVXLC]+)-([OE])/(\d{2})\)"),
        "resolution",
    ),
    (
        re.compile(r"\b([A-Z]{1,6})/DEC\.?\s*(\d{1,5})\s*\(([IVXLC]+)-([OE])/(\d{2})\)"),
        "declaration",
    ),
)
_BODIES = (
    "Security Council",
    "General Assembly",
    "Permanent Council",
    "Committee on Hemispheric Security",
    "Council of Ministers",
    "Conference of Heads of Government",
)
# "The Security Council,", "THE GENERAL ASSEMBLY,", "We, the Ministers ...": the text starts here.
_OPENER = re.compile(r"^(?:The|THE) [A-Z][\w ]{2,60},$")
_DECLARATION = re.compile(r"^(?:the )?(declaration|communiqu[eé]) (?:of|on) (.{3,80})$", re.I)
_CONCLUSIONS = re.compile(r"^(?:summary of |final )?(conclusions|report)\b(.{0,160})$", re.I)
_STATEMENT = re.compile(r"^statement by the (president|chair)\b", re.I)
_AGENDA = re.compile(r"Agenda item \d+(?: \([a-z]{1,2}\))?\s+(.+)$", re.I)
_ITEM_ENTITLED = re.compile(r"item entitled “([^”]+)”")
_GA_TITLE = re.compile(r"^\d{1,3}/\d{1,4}\.\s+(.+)$")
_ADOPTED = re.compile(r"(?:adopted|held)\b[^.]*?\bon\b", re.I)
_SERIES_FROM_RECALL = re.compile(
    r"previous resolutions(?: and [^,]*?)? (?:on|concerning|regarding) (?:the situation in )?"
    r"([A-Z][\w ]{2,40}?)(?:,|\.|$| in particular| including| especially)"
)
_MAX_HEAD_BLOCKS = 12
_MAX_HEAD_CHARS = 1500


def _iso(text: str) -> tuple[str, int]:
    """The first date in `text` as ISO, and its year; ('', 0) when there is none."""
    found = _DAY_MONTH_YEAR.search(text)
    if found:
        day, month, year = int(found[1]), found[2], int(found[3])
    elif found := _MONTH_DAY_YEAR.search(text):
        month, day, year = found[1], int(found[2]), int(found[3])
    else:
        return "", 0
    try:
        return date(year, _MONTHS.index(month.lower()) + 1, day).isoformat(), year
    except ValueError:
        return "", year


_ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    "thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
)


def series_key(subject: str) -> str:
    """`The question concerning Haiti` and `the question concerning Haiti (2023)` share a key."""
    text = re.sub(r"\([^)]*\)", " ", subject.lower())
    text = re.sub(r"\b(?:\d+(?:st|nd|rd|th)?|[ivxlc]+)\b", " ", text)
    text = re.sub(rf"\b(?:{_ORDINALS})\b", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


_HEAD_HINT = re.compile(
    r"Distr\.|Agenda item|[Aa]dopted (?:by|at)|^\[on the report|session|meeting"
)


def _is_head_block(block: Block) -> bool:
    """Short lines (symbol, body, date) or the known long ones (adoption, agenda item)."""
    if block.kind is BlockKind.TABLE:
        return False
    if block.kind is BlockKind.HEADING:
        return True
    text = block.text
    if re.match(r"^(?:\d{1,3}\.|\([a-z]\))\s", text) or text[:1] in '“"' or text[-1:] in ",;:":
        return False
    if text.endswith(".") and len(text.split()) >= 8:
        return False  # a sentence ("The meeting was held in ... on ...") is text, not a title
    return len(text) <= 160 or (len(text) <= 400 and bool(_HEAD_HINT.search(text)))


def read_title_block(blocks: tuple[Block, ...]) -> tuple[DocMeta | None, int]:
    """(metadata, number of leading blocks it used); (None, 0) when there is no title block."""
    head: list[Block] = []
    opener = False
    for block in blocks[:_MAX_HEAD_BLOCKS]:
        if _OPENER.match(block.text):
            opener = True
            break
        if not _is_head_block(block) or sum(len(b.text) for b in head) > _MAX_HEAD_CHARS:
            break
        head.append(block)
    if not head:
        return None, 0
    meta = _parse(head, blocks[len(head) + (1 if opener else 0) :])
    if meta is None:
        return None, 0
    return meta, len(head) + (1 if opener else 0)


def _parse(head: list[Block], rest: tuple[Block, ...]) -> DocMeta | None:
    text = " ".join(b.text for b in head)
    symbol, number, year, kind = _symbol(text)
    title = ""
    subject = ""
    ga_title = ""
    for block in head:
        line = block.text.strip().rstrip(".")
        if m := _DECLARATION.match(line):
            kind, title = "declaration", f"{m[1].capitalize()} of {m[2].strip()}"
            if m[1].lower() != "declaration":
                kind = "statement"
        elif (m := _CONCLUSIONS.match(line)) and not symbol:
            kind = "conclusions" if m[1].lower() == "conclusions" else "report"
            title = _caps_title(line)
        elif _STATEMENT.match(line) and kind == "other":
            kind = "statement"
        if m := _AGENDA.search(block.text):
            subject = m[1].strip()
        elif m := _GA_TITLE.match(block.text):
            ga_title = m[1].strip()
    if not symbol and not title:
        return None
    if not subject and (m := _ITEM_ENTITLED.search(text + " " + _first_text(rest))):
        subject = m[1]
    if not subject and symbol.startswith(("AG/", "CP/")):
        subject = next(
            (_sentence_case(b.text) for b in head if b.text.isupper() and symbol not in b.text), ""
        )
    adopted = _ADOPTED.search(text)
    iso, date_year = _iso(text[adopted.start() :]) if adopted else ("", 0)
    if not iso:
        iso, date_year = _iso(text)
    body = next((b for b in _BODIES if b.lower() in text.lower()), "")
    if symbol.startswith("S/"):
        body = "Security Council"
    elif symbol.startswith(("A/", "AG/")):
        body = "General Assembly"
    if not subject and kind in ("conclusions", "report") and title:
        subject = title.split(" (", 1)[0]  # meetings of one body recur: same name, new number
    series = series_key(subject) if subject else _recalled_series(rest)
    subject = ga_title or subject
    return DocMeta(
        symbol=symbol,
        number=number,
        year=year or date_year,
        date=iso,
        type=kind,
        body=body,
        title=title or _title(kind, symbol, number, year, subject),
        series=series,
        subject=subject,
    )


def _symbol(text: str) -> tuple[str, str, int, str]:
    for pattern, kind in _SYMBOLS:
        m = pattern.search(text)
        if m is None:
            continue
        if kind == "presidential_statement":
            return f"S/PRST/{m[1]}/{m[2]}", f"{m[1]}/{m[2]}", int(m[1]), kind
        if m.re.pattern.startswith(r"\bS/RES"):
            return f"S/RES/{m[1]} ({m[2]})", m[1], int(m[2]), kind
        if m.re.pattern.startswith(r"\bA/RES"):
            return f"A/RES/{m[1]}/{m[2]}", f"{m[1]}/{m[2]}", 0, kind
        two = int(m[5])
        infix = "RES" if kind == "resolution" else "DEC"
        symbol = f"{m[1]}/{infix}. {m[2]} ({m[3]}-{m[4]}/{m[5]})"
        return symbol, m[2], (2000 if two < 70 else 1900) + two, kind
    return "", "", 0, "other"


def _title(kind: str, symbol: str, number: str, year: int, subject: str) -> str:
    if kind == "resolution" and symbol.startswith(("S/", "A/")):
        base = (
            f"Resolution {number} ({year})" if symbol.startswith("S/") else f"Resolution {number}"
        )
    elif kind == "presidential_statement":
        base = f"Statement by the President of the Security Council {symbol}"
    else:
        base = symbol
    return f"{base}: {subject}" if subject else base


def _caps_title(line: str) -> str:
    """`CONCLUSIONS OF THE FOURTH MEETING San Salvador, 3-4 April 2025` -> `Conclusions of the
    fourth meeting (San Salvador, 3-4 April 2025)`: the capitals are the name, the rest where
    and when."""
    words = line.split()
    caps = 0
    while caps < len(words) and not any(c.islower() for c in words[caps]):
        caps += 1
    if caps < 3 or caps == len(words):
        return _sentence_case(line)
    return f"{_sentence_case(' '.join(words[:caps]))} ({' '.join(words[caps:])})"


def _sentence_case(text: str) -> str:
    if text.isupper():
        lowered = text.lower()
        return lowered[0].upper() + lowered[1:]
    return text


def _first_text(blocks: tuple[Block, ...]) -> str:
    return blocks[0].text if blocks else ""


def _recalled_series(rest: tuple[Block, ...]) -> str:
    """Security Council resolutions name no subject in the title block; their first preambular
    paragraph usually does ("Recalling its previous resolutions on Haiti")."""
    for block in rest[:2]:
        if m := _SERIES_FROM_RECALL.search(block.text):
            return series_key(m[1])
    return ""
