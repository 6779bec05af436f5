"""Finding a place in what a reporter wrote: "near Speightstown", "off Bottom Bay",
"in Kingston harbour", against the gazetteer of the reporter's own state.

Matching is on words, not letters: accents, case, full stops and "Saint"/"St" are ignored, the
longest name wins ("Kingston Harbour" over "Kingston"), and a name must stand as whole words.
A place not in the gazetteer is still kept as written after "near", "off", "in"... (without
coordinates), so nothing the reporter said is lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

RELATIONS = (
    "just off",
    "north of",
    "south of",
    "east of",
    "west of",
    "close to",
    "outside",
    "near",
    "off",
    "in",
    "at",
    "by",
    "nr",
)
"""How a place is related to the incident, longest first; kept in the stored location."""

FEATURES = ("harbour", "port", "bay", "beach", "jetty", "pier", "marina", "airport", "coast")
"""A word after a town's name that narrows it ("Speightstown harbour"): kept in the text."""

_SAME = {"saint": "st", "ste": "st", "mount": "mt", "harbor": "harbour", "&": "and"}
_COORDS = re.compile(r"(?P<lat>[-+]?\d{1,2}\.\d+)\s*[,; ]\s*(?P<lon>[-+]?\d{1,3}\.\d+)")
_UNKNOWN = re.compile(
    r"\b(?P<rel>near|off|outside|in|at)\s+(?P<name>(?:the\s+)?[A-Z][\w'’.-]*"
    r"(?:\s+(?:of\s+|de\s+|la\s+)?[A-Z][\w'’.-]*)*)"
)
_UNITS = {"nm", "km", "m", "miles", "mi", "nmi", "metres", "meters", "kilometres", "kilometers"}
_NOT_PLACES = {"utc", "ast", "est", "am", "pm", "tlp", "amber", "red", "green", "clear"}


@dataclass(frozen=True)
class GazetteerPlace:
    """One entry of a state's gazetteer."""

    state: str
    name: str
    region: str
    kind: str
    lat: float
    lon: float
    also: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.also)


@dataclass(frozen=True)
class PlaceFound:
    """A place as understood: `text` is what is stored and shown ("near Speightstown
    harbour"); `place` is the gazetteer entry behind it, when there is one."""

    text: str
    place: GazetteerPlace | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def region(self) -> str:
        return self.place.region if self.place else ""

    @property
    def name(self) -> str:
        return self.place.name if self.place else ""


def words(text: str) -> list[str]:
    """Lowercase words without accents or punctuation; "Saint" and "St." read alike."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    tokens = re.findall(r"[a-z0-9]+|&", plain.replace("'", "").replace("’", ""))
    return [_SAME.get(t, t) for t in tokens]


def find_place(text: str, places: tuple[GazetteerPlace, ...]) -> PlaceFound | None:
    """The place a sentence names, or None. Gazetteer names first, then coordinates, then a
    capitalised name after "near", "off"... kept as written."""
    said = words(text)
    best: tuple[int, int, GazetteerPlace] | None = None
    for place in places:
        for name in place.names:
            target = words(name)
            for start in _occurrences(said, target):
                if best is None or (len(target), -start) > (best[1] - best[0], -best[0]):
                    best = (start, start + len(target), place)
    if best is not None:
        start, end, place = best
        relation = _relation(said[:start])
        feature = said[end] if end < len(said) and said[end] in FEATURES else ""
        feature = "" if feature in words(place.name) else feature
        shown = " ".join(p for p in (relation, place.name, feature) if p)
        return PlaceFound(shown, place, place.lat, place.lon)
    coords = _COORDS.search(text)
    if coords is not None:
        lat, lon = float(coords["lat"]), float(coords["lon"])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return PlaceFound(f"{lat:.4f}, {lon:.4f}", None, lat, lon)
    for match in _UNKNOWN.finditer(text):
        name = match["name"].rstrip(".'’")
        if words(name) and words(name)[0] not in _NOT_PLACES:
            return PlaceFound(f"{match['rel']} {name}")
    return None


def read_place(text: str, places: tuple[GazetteerPlace, ...]) -> PlaceFound:
    """A whole answer to "Where?": a known place with its coordinates, or the text as typed."""
    value = " ".join(text.split())
    found = find_place(value, places)
    if found is not None and found.place is not None:
        # Just a name or another spelling of it ("GAIA"): the gazetteer's own name is kept.
        alone = any(words(value) == words(n) for n in found.place.names)
        text = found.place.name if alone else one_line_text(value)
        return PlaceFound(text, found.place, found.lat, found.lon)
    if found is not None and found.lat is not None:
        return found
    return PlaceFound(value)


def _occurrences(said: list[str], target: list[str]) -> list[int]:
    n = len(target)
    if n == 0:
        return []
    return [i for i in range(len(said) - n + 1) if said[i : i + n] == target]


def _relation(before: list[str]) -> str:
    """ "near", "off"..., with a distance before it when given ("12 nm south of")."""
    if before and before[-1] == "the":
        before = before[:-1]
    for relation in RELATIONS:
        parts = relation.split()
        if before[-len(parts) :] == parts:
            shown = "near" if relation == "nr" else relation
            rest = before[: -len(parts)]
            if len(rest) >= 2 and rest[-2].isdigit() and rest[-1] in _UNITS:
                shown = f"{rest[-2]} {rest[-1]} {shown}"
            return shown
    return ""


def one_line_text(value: str) -> str:
    return " ".join(value.split())


def describe(found_text: str, region: str, lat: float | None, lon: float | None) -> str:
    """How a stored place reads: "near Speightstown (Saint Peter · 13.2500, -59.6430)"."""
    if not found_text:
        return "not given"
    extra = [region] if region else []
    if lat is not None and lon is not None:
        extra.append(f"{lat:.4f}, {lon:.4f}")
    return f"{found_text} ({' · '.join(extra)})" if extra else found_text
