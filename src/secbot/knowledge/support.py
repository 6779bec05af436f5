"""Whether the passages found can answer a question at all, judged on what it names.

A question about Ukraine, NATO, the year 2031 or "resolution 1718 (2006)" is answered by
nothing the asker may see when none of the best visible passages mentions that name or year
and no visible document is that one: the passages found are then about something else, however
well their other words match (issue 11's off-topic negatives, decision 0026). Everything here
reads only the hits and the catalogue already filtered for the asker, so a word or document
only a private report holds never changes the outcome for someone who may not see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from secbot.knowledge.doc_refs import COMMON, DocInfo, References, Resolved

_WORD = re.compile(r"[\w'’-]+")
_ACRONYM = re.compile(r"\b[A-Z]{3,}\b")
_DATED_NUMBER = re.compile(r"\bresolutions?\s+(?:no\.?\s*)?(\d{2,5})\s*\(\s*(\d{4})\s*\)", re.I)
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_CALENDAR = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_PLAIN = frozenset(
    """UN USA FAQ TLP RED AMBER GREEN CLEAR PDF DOCX WHAT WHO HOW WHY WHEN WHERE""".split()
)


def unseen_names(
    question: str, refs: References, texts: Sequence[str], stem: Callable[[str], str]
) -> list[str]:
    """Names the question uses (capitalised phrases, acronyms) that occur in none of `texts`:
    months and roman numerals aside, such a name is what the question is about."""
    words: list[str] = []
    for name in refs.names:
        words.extend(_WORD.findall(name))
    words.extend(a for a in _ACRONYM.findall(question) if a not in _PLAIN)
    haystack = " ".join(texts).lower()
    stems = {stem(w) for w in _WORD.findall(haystack)}
    missing: list[str] = []
    for word in dict.fromkeys(words):
        bare = re.sub(r"['’]s$", "", word)
        low = bare.lower()
        if len(low) < 3 or low in _CALENDAR or _ROMAN.match(bare) or bare in COMMON:
            continue
        if low in haystack or stem(low) in stems:
            continue
        missing.append(bare)
    return missing


def unknown_document(question: str, refs: References, resolved: Resolved) -> bool:
    """The question names documents by number and year ("resolution 1718 (2006)", "S/RES/2231
    (2015)") and none of them is a document the asker may see."""
    dated = [s for s, year in refs.symbols if year] + _DATED_NUMBER.findall(question)
    return bool(dated) and not resolved.named


def unseen_years(refs: References, visible: Mapping[str, DocInfo], texts: Iterable[str]) -> bool:
    """The question names a year that no visible document is from and no passage found
    mentions ("hijackings reported in 2031")."""
    if not refs.years:
        return False
    years = {d.year for d in visible.values() if d.year}
    text = " ".join(texts)
    return any(y not in years and str(y) not in text for y in refs.years)
