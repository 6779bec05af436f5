"""Whether the passages found can answer a question at all, judged on what it names.

A question about Ukraine, NATO, the year 2031 or "resolution 1718 (2006)" is answered by
nothing the asker may see when none of the best visible passages mentions that name or year
and no visible document is that one: the passages found are then about something else, however
well their other words match (issue 11's off-topic negatives, decision 0026). Everything here
reads only the hits and the catalogue already filtered for the asker, so a word or document
only a private report holds never changes the outcome for someone who may not see it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from secbot.knowledge.doc_refs import COMMON, DocInfo, References, Resolved, parse

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


def _names(question: str, refs: References) -> list[str]:
    """The words of the names a question uses (capitalised phrases, acronyms), less months,
    roman numerals and words that name nothing in particular."""
    words: list[str] = []
    for name in refs.names:
        words.extend(_WORD.findall(name))
    words.extend(a for a in _ACRONYM.findall(question) if a not in _PLAIN)
    out: list[str] = []
    for word in dict.fromkeys(words):
        bare = re.sub(r"['’]s$", "", word)
        low = bare.lower()
        if len(low) < 3 or low in _CALENDAR or _ROMAN.match(bare) or bare in COMMON:
            continue
        out.append(bare)
    return out


_JOINING = r"(?:(?:of|and|the|for|on|in)\s+)*"


def _spelled_out(acronym: str, text: str) -> bool:
    """The text holds words whose initials spell the acronym, joining words aside ("WMD":
    "weapons of mass destruction"): a question may shorten what an official text writes out."""
    letters = [r"(?!(?:of|and|the|for|on|in)\b)" + re.escape(c) for c in acronym.lower()]
    pattern = r"\b" + (r"[\w'’-]*\s+" + _JOINING).join(letters) + r"[\w'’-]*"
    return re.search(pattern, text) is not None


def _mentions(text: str, word: str, stems: set[str], stem: Callable[[str], str]) -> bool:
    low = word.lower()
    if low in text or stem(low) in stems:
        return True
    return bool(_ACRONYM.fullmatch(word)) and _spelled_out(word, text)


def unseen_names(
    question: str, refs: References, texts: Sequence[str], stem: Callable[[str], str]
) -> list[str]:
    """Names the question uses (capitalised phrases, acronyms) that occur in none of `texts`:
    months and roman numerals aside, such a name is what the question is about."""
    haystack = " ".join(texts).lower()
    stems = {stem(w) for w in _WORD.findall(haystack)}
    return [w for w in _names(question, refs) if not _mentions(haystack, w, stems, stem)]


GAP = 3
"""Words allowed between two words of a name in a passage ("Counter-Terrorism *Committee*
Executive Directorate" for the question's "Counter-Terrorism Executive Directorate")."""


def _root(word: str, stem: Callable[[str], str]) -> str:
    """The part of a word its inflections share: the common start of the word and its stem
    ("treaty" -> "treat", not the stem "treati", which "treaty" does not begin with)."""
    root = stem(word)
    shared = next((n for n, (a, b) in enumerate(zip(word, root, strict=False)) if a != b), None)
    return word[: min(len(word), len(root)) if shared is None else shared] or word


def unseen_phrases(refs: References, texts: Sequence[str], stem: Callable[[str], str]) -> list[str]:
    """Names of two words or more of which no passage holds any two neighbouring words in
    order: each word may occur in some passage ("world", "trade" and "organization" all do)
    while the thing the name denotes, the World Trade Organization, is in none of them. One
    pair is enough ("the San Salvador High-Level Meeting": "... Small Island States (San
    Salvador, February, 1998)"); up to GAP words may stand between the two, and words match on
    the start their inflections share. Months and words that name nothing in particular
    ("Committee's") are left out, as in `unseen_names`."""
    haystack = " ".join(" ".join(texts).lower().split())
    gap = rf"(?:\W+[\w'’-]+){{0,{GAP}}}?\W+"
    missing = []
    for name in refs.names:
        roots = []
        for word in _WORD.findall(name):
            bare = re.sub(r"['’]s$", "", word).strip("'’-")
            low = bare.lower()
            if len(low) < 2 or low in ("of", "de") or low in _CALENDAR:
                continue
            if bare not in COMMON and not _ROMAN.match(bare):
                roots.append(re.escape(_root(low, stem)) + r"[\w'’-]*")
        pairs = [rf"\b{a}{gap}{b}" for a, b in itertools.pairwise(roots)]
        if pairs and not any(re.search(pair, haystack) for pair in pairs):
            missing.append(name)
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


_FACTOID = re.compile(
    r"^\s*(?:(?:what|which|who)\s+(?:is|are|was|were)\s+(?:the|a|an)\s+"
    r"|how\s+(?:many|much)\s+)(?P<rest>.+)$",
    re.I,
)
_WHICH_THING = re.compile(
    r"^\s*(?:what|which)\s+(?P<rest>(?:[\w'’-]+\s+){1,2}?)(?:is|are|was|were|has|have)\b", re.I
)
""""Which vaccines are ...", "which airline has ...": the thing wanted comes first."""
_INSTANCES = frozenset(
    """countries country states state nations members parties governments bodies entities
    organizations organisations""".split()
)
"""Which of the actors a text names: answered by naming them, not by the word itself."""
_MEASURE = re.compile(
    r"^\s*how\s+(?P<size>tall|old|big|heavy|wide|deep|far)\s+(?:is|are|was|were)\b", re.I
)
""""How tall is ...": a physical measure, which a passage states only if it uses the word."""
_SENTENCE_END = re.compile(r"[?!](?:\s|$)")
_FOCUS_END = frozenset(
    """of in on at for to from with by under about into over per near between among during
    does do did has have had is are was were will would should must can could may might
    shall that which who whom whose where when why how than as and or if""".split()
)
_VAGUE = frozenset(
    """current official annual main best good new latest next first last most other own same
    such certain kind kinds type types sort way ways thing things one ones part parts people
    person""".split()
)


def focus(question: str) -> list[str]:
    """What a factoid question asks for: the words naming the thing wanted, after "What is
    the/a", "Who is the" or "How many" and before the first preposition or verb ("the *salary*
    of a coast guard officer", "how many *seats* does"); the thing before the verb in "which
    *vaccines* are ..." or "which *airline* has ..."; the measure in "how *tall* is ...".
    Yes/no questions, "what did the Council say", "what is known/described ..." (no article:
    a passive verb follows) and "which countries ..." (answered by naming instances, not the
    category) have none."""
    sentence = _SENTENCE_END.split(question, maxsplit=1)[0]
    measure = _MEASURE.match(sentence)
    if measure is not None:
        return [measure.group("size").lower()]
    match = _FACTOID.match(sentence)
    which = _WHICH_THING.match(sentence)
    if match is None and which is not None:
        if _INSTANCES & {w.lower() for w in _WORD.findall(which.group("rest"))}:
            return []
        match = which
    if match is None:
        return []
    first = _WORD.findall(match.group("rest"))[:1]
    if first and question.lower().lstrip().startswith("how") and first[0].endswith("ed"):
        return []  # "how many displaced persons ...": described by a verb, not named
    words: list[str] = []
    for word in _WORD.findall(match.group("rest")):
        low = word.lower().strip("'’")
        if low in _FOCUS_END:
            break
        if words and low.endswith(("ing", "ed")):
            break  # "which natural disasters hitting ...": the thing wanted ends there
        if low not in _VAGUE and len(low) >= 3 and not low.isdigit():
            words.append(low)
    return words[:2]


def unseen_focus(
    question: str,
    refs: References,
    texts: Sequence[str],
    stem: Callable[[str], str],
    absent: Callable[[str], bool],
) -> list[str]:
    """The thing a factoid question asks for that the passages cannot name: no visible passage
    at all mentions it ("the *salary* of the Secretary-General"), or the question names
    places or bodies and no passage found mentions the thing together with them ("the capital
    of Mongolia": passages that mention Mongolia, and others that mention a capital, cannot
    say what the capital of Mongolia is). Without names, a passage found may answer in other
    words ("the risk of dengue" from a threat entry on dengue), so only absence counts."""
    wanted = focus(question)
    if not wanted:
        return []
    missing = [w for w in wanted if absent(w)]
    if missing:
        return missing
    # the names of the factoid's own sentence: "who are the actors? Port Zephyrine ..." asks
    # two things, and the second's names need not be beside the first's thing
    sentence = _SENTENCE_END.split(question, maxsplit=1)[0]
    names = _names(sentence, parse(sentence)) if sentence != question else _names(question, refs)
    if not names:
        return []
    for text in texts:
        low = text.lower()
        stems = {stem(w) for w in _WORD.findall(low)}
        if all(_mentions(low, w, stems, stem) for w in [*wanted, *names]):
            return []
    return wanted
