"""Time phrases as people write them in a one-line report: "at 02:00", "this morning",
"last night", "yesterday at 14:30", "2 days ago".

Every phrase is read in the writer's own zone, on the writer's own calendar day, and the result
is never in the future: a clock time alone is the last one that has passed, so "at 02:00" said
at 01:00 is yesterday's 02:00. Periods without a clock time ("this morning") stand for a fixed
hour and are marked approximate so the reply can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from secbot.domain.zones import SKEW, not_future

_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_AGO = re.compile(
    r"\b(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half an)"
    r"\s*(?P<unit>m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s+ago\b",
    re.IGNORECASE,
)
_TIME = (
    r"(?:(?P<h12>1[0-2]|0?[1-9])(?:[:.](?P<m12>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?P<h24>[01]?\d|2[0-3])(?:[:.h])(?P<m24>[0-5]\d)(?:\s*h(?:rs|ours)?\b)?"
    r"|(?P<h4>[01]\d|2[0-3])(?P<m4>[0-5]\d)(?:\s*h(?:rs|ours)?\b|(?=\s*(?:$|[,.;!?)]|"
    r"(?:near|off|in|at|by|on|and|with|from|to|yesterday|today|this|last|local)\b)))"
    r"|(?P<word>noon|midday|midnight))"
)
_CLOCK = re.compile(rf"(?:\b(?:at|around|about|by)\s+|@\s*)(?P<t>{_TIME})(?![\d:])", re.I)
_BARE = re.compile(rf"^(?P<t>{_TIME})$", re.IGNORECASE)
_DAY = re.compile(
    r"\b(?P<day>yesterday\s+(?:morning|afternoon|evening|night)|yesterday|last\s+night|"
    r"overnight|this\s+(?:morning|afternoon|evening)|tonight|earlier\s+today|today)\b",
    re.IGNORECASE,
)
_AFTER_DAY = re.compile(rf"^\s*(?:,\s*)?(?:at\s+|around\s+|about\s+|@\s*)?(?P<t>{_TIME})(?![\d:])")
_FILLER = re.compile(r"^(?:\s|,|\bat\b|\bon\b|\baround\b|\babout\b)*$", re.IGNORECASE)

PERIOD_HOUR = {"morning": 8, "afternoon": 15, "evening": 19, "night": 22}
"""The hour a period stands for when no clock time is given."""


@dataclass(frozen=True)
class WhenFound:
    at: datetime
    """In UTC."""
    said: str
    """The words as written, e.g. "yesterday at 14:30"."""
    approximate: bool = False


def find_when(text: str, now: datetime, zone: tzinfo = UTC) -> WhenFound | None:
    """The time a free sentence speaks of, or None when it names none."""
    found = _find(text, now, zone, whole=False)
    return found[0] if found else None


def match_whole(text: str, now: datetime, zone: tzinfo = UTC) -> WhenFound | None:
    """The time when the whole of `text` is one phrase (a form answer); None otherwise."""
    found = _find(text, now, zone, whole=True)
    if found is None:
        return None
    result, spans = found
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return result if _FILLER.match(rest) else None


def _find(
    text: str, now: datetime, zone: tzinfo, *, whole: bool
) -> tuple[WhenFound, list[tuple[int, int]]] | None:
    ago = _AGO.search(text)
    if ago is not None:
        return _ago(ago, now, zone), [ago.span()]
    day = _DAY.search(text)
    clock: re.Match[str] | None = None
    if day is not None:
        clock = _AFTER_DAY.match(text[day.end() :])
        if clock is not None:
            span = (day.start(), day.end() + clock.end())
            said = text[span[0] : span[1]]
            return _resolve(day["day"], clock, now, zone, said), [span]
    clock = _CLOCK.search(text) or (_BARE.match(text.strip()) if whole else None)
    if clock is None and day is None:
        return None
    parts = sorted(m.span() for m in (day, clock) if m is not None)
    said = " ".join(text[a:b].strip() for a, b in parts)
    if whole and clock is not None and clock.re is _BARE:
        parts = [(0, len(text))]
    return _resolve(day["day"] if day else None, clock, now, zone, said), parts


def _ago(match: re.Match[str], now: datetime, zone: tzinfo) -> WhenFound:
    raw, unit = match["n"].lower(), match["unit"].lower()
    if raw == "half an":
        delta = timedelta(minutes=30)
    else:
        n = int(raw) if raw.isdigit() else _WORDS[raw]
        delta = {
            "m": timedelta(minutes=n),
            "h": timedelta(hours=n),
            "d": timedelta(days=n),
            "w": timedelta(weeks=n),
        }[unit[0]]
    return WhenFound(not_future(now - delta, now, zone), match.group(0))


def _clock(match: re.Match[str]) -> time:
    if match["word"]:
        return time(0, 0) if match["word"].lower() == "midnight" else time(12, 0)
    if match["h12"]:
        hour = int(match["h12"]) % 12 + (12 if match["ap"].lower() == "p" else 0)
        return time(hour, int(match["m12"] or 0))
    if match["h24"]:
        return time(int(match["h24"]), int(match["m24"]))
    return time(int(match["h4"]), int(match["m4"]))


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _resolve(
    day: str | None, clock_match: re.Match[str] | None, now: datetime, zone: tzinfo, said: str
) -> WhenFound:
    today = now.astimezone(zone).date()
    yesterday = today - timedelta(days=1)
    words = " ".join(day.lower().split()) if day else ""
    if clock_match is None:
        return _period(words, now, zone, today, yesterday, said)
    clock = _clock(clock_match)
    if words.startswith("yesterday"):
        at = _at(yesterday, clock, zone)
    elif words in ("last night", "overnight", "tonight", ""):
        # After midnight "last night at 01:00" is today's 01:00; a clock time alone, or one
        # "tonight" that has not come yet, is the last one that has passed.
        if words in ("last night", "overnight") and clock.hour >= 12:
            at = _at(yesterday, clock, zone)
        else:
            at = _at(today, clock, zone)
            if at > now + SKEW:
                at = _at(yesterday, clock, zone)
    else:  # today, earlier today, this morning/afternoon/evening: the writer said today
        at = _at(today, clock, zone)
    return WhenFound(not_future(at, now, zone), said)


def _period(
    words: str, now: datetime, zone: tzinfo, today: date, yesterday: date, said: str
) -> WhenFound:
    if words in ("today", "earlier today"):
        return WhenFound(now, said, approximate=True)
    if words == "yesterday":
        return WhenFound(now - timedelta(days=1), said, approximate=True)
    if words in ("last night", "overnight"):
        return WhenFound(_at(yesterday, time(PERIOD_HOUR["night"]), zone), said, approximate=True)
    period = words.split()[-1]
    hour = PERIOD_HOUR.get(period, 21 if words == "tonight" else 12)
    base = yesterday if words.startswith("yesterday") else today
    return WhenFound(min(_at(base, time(hour), zone), now), said, approximate=True)
