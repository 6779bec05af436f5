"""Report ids as people type them: `brb-7`, `BRB-7`, `BRB 7`, `brb0007` all mean `BRB-0007`.

A state's submissions are numbered per state (`BRB-0007`); its own threat-register entries
carry a `T` (`BRB-T01`). A partner's observations carry its longer code (`CDEMA-0001`).
Reading an id leniently only ever yields the canonical spelling: what
that id may show is still decided by access/, exactly as for the id typed in full.
"""

from __future__ import annotations

import re

_ID = re.compile(r"([A-Za-z]{3,12})(?:\s*[-_.]\s*|\s+)?(T(?=\d))?\s*(\d{1,6})", re.IGNORECASE)
_END = r"[,;:.!?]*"
"""Punctuation that may follow an id in a sentence (`share BRB-7, JAM`)."""
_WHOLE = re.compile(rf"^\s*{_ID.pattern}{_END}\s*$", re.IGNORECASE)
_LEADING = re.compile(rf"^\s*{_ID.pattern}{_END}(?=\s|$)(.*)$", re.IGNORECASE | re.DOTALL)


def _canonical(state: str, threat: str | None, number: str) -> str | None:
    """None for a zero-padded number longer than an id's digits (`BRB-00011`): it is as much
    BRB-0001 with a stray digit as BRB-0011, and a guess could share the wrong report."""
    width = 2 if threat else 4
    if len(number) > width and number.startswith("0"):
        return None
    n = int(number)
    if threat:
        return f"{state.upper()}-T{n:02d}"
    return f"{state.upper()}-{n:04d}"


def read_id(text: str) -> str | None:
    """The canonical id when the whole text is one report id, else None."""
    found = _WHOLE.match(text)
    if found is None:
        return None
    return _canonical(found.group(1), found.group(2), found.group(3))


def split_id(text: str) -> tuple[str, str] | None:
    """(canonical id, the rest) when the text starts with a report id (`BRB 7 JAM` included)."""
    found = _LEADING.match(text)
    if found is None:
        return None
    wanted = _canonical(found.group(1), found.group(2), found.group(3))
    return None if wanted is None else (wanted, found.group(4).strip())


def canonical_id(text: str) -> str:
    """The canonical spelling when the text reads as an id, else the text as typed, upper-cased
    (so a lookup of something that is no id simply finds nothing)."""
    return read_id(text) or text.strip().upper()
