"""Turn the text of a PDF's pages back into the paragraphs an author wrote.

A PDF holds lines placed on pages: running headers and footers (the symbol repeated on every page,
`Page 2 of 5`, bare page numbers), words hyphenated at a line end, and paragraphs that wrap with
no blank line between them. Left in, a page number becomes a "paragraph 3" and a running header a
passage of its own. The output is plain text with a blank line between paragraphs, for the plain
text reader.
"""

from __future__ import annotations

import re
from collections import Counter

EDGE_LINES = 3
"""How many lines at the top and bottom of a page may be a running header or footer."""

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$", re.I
)
_SENTENCE_END = re.compile(r"[.:;,!?”\"’)]$")
_WORD_HYPHEN = re.compile(r"[A-Za-z]-$")
_BARE = re.compile(r"^(?:[IVXLC]+\.|\d{1,3}\.?|[a-z][.)]|\((?:\d{1,2}|[a-z]|[ivx]+)\))$")
_MARKER = re.compile(r"^(?:\d{1,3}\.|\((?:[a-z]|[ivx]{1,4})\))\s")


def _key(line: str) -> str:
    """Lines that differ only in numbers (`Page 2 of 5`, `Page 3 of 5`) repeat as one."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _edges(lines: list[str]) -> set[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:EDGE_LINES]) | set(filled[-EDGE_LINES:])


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top or bottom of most pages.

    The first page keeps a repeated line at its top: there it is the title block (a symbol
    printed again on every later page still names the document once).
    """
    counts: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(lines[i]) for i in _edges(lines)})
        exact.update({" ".join(lines[i].split()) for i in _edges(lines)})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {key for key, n in counts.items() if n >= threshold} if len(pages) > 1 else set()
    # the first page keeps a constant line (a symbol) at its top, never a counter (`Page 1 of 3`)
    constant = {line for line, n in exact.items() if n >= threshold}
    kept: list[list[str]] = []
    for number, lines in enumerate(pages):
        edges = _edges(lines)
        filled = [i for i, line in enumerate(lines) if line.strip()]
        top = set(filled[:EDGE_LINES])
        out: list[str] = []
        for index, line in enumerate(lines):
            if index in edges:
                stripped = line.strip()
                if _PAGE_NUMBER.match(stripped):
                    continue
                first_page_title = (
                    number == 0 and index in top and " ".join(line.split()) in constant
                )
                if _key(line) in running and not first_page_title:
                    continue
            out.append(line)
        kept.append(out)
    return kept


def join_lines(lines: list[str]) -> str:
    """Rejoin wrapped lines into paragraphs (a blank line between paragraphs).

    A word hyphenated at a line end is joined (`inter-` + `national`); a hyphen before a capital
    (`non-` + `State`) is kept. A paragraph ends at a blank line or after a line clearly shorter
    than the text column that ends like a sentence or a clause.
    """
    text_lines = [" ".join(line.split()) for line in lines]
    widths = sorted(len(line) for line in text_lines if line)
    column = widths[int(len(widths) * 0.9)] if widths else 0
    paragraphs: list[str] = []
    current = ""
    for line in text_lines:
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if _BARE.match(line):  # `1.` or `I.` alone: the plain-text reader reads it as a marker
            if current:
                paragraphs.append(current)
            paragraphs.append(line)
            current = ""
            continue
        if current and _MARKER.match(line):
            paragraphs.append(current)
            current = ""
        if not current:
            current = line
        elif _WORD_HYPHEN.search(current) and line[:1].islower():
            current = current[:-1] + line
        elif _WORD_HYPHEN.search(current):
            current += line
        else:
            current += " " + line
        if len(line) < 0.8 * column and (_SENTENCE_END.search(line) or len(line) < 0.5 * column):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def clean_pages(pages: list[str]) -> str:
    """Page texts as extracted, in order -> plain text with one paragraph per block."""
    split = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in pages]
    # no break between pages: a paragraph that runs over a page boundary stays one
    pages_kept = [_trim(page) for page in strip_running_lines(split)]
    return join_lines([line for page in pages_kept for line in page])


def _trim(lines: list[str]) -> list[str]:
    """Blank lines at a page's ends are the margin, not a paragraph break."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return lines[filled[0] : filled[-1] + 1] if filled else []
