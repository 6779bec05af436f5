"""Time and place phrases in a one-line report: read in the writer's zone, never in the future,
and places found in the writer's own state's gazetteer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from secbot.domain.errors import InvalidInput
from secbot.domain.places import GazetteerPlace, find_place, read_place
from secbot.domain.when import parse_when, show_time
from secbot.domain.when_phrases import find_when

BARBADOS = ZoneInfo("America/Barbados")  # UTC-4 all year
SURINAME = ZoneInfo("America/Paramaribo")  # UTC-3 all year, no letters in its abbreviation
NASSAU = ZoneInfo("America/Nassau")  # EST/EDT: the one member state with daylight saving

AT_0100_AST = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)  # 01:00 in Barbados
AT_1500_AST = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)  # 15:00 in Barbados


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # a clock time alone is the last one that has passed: never a future time
        ("vessel sighted at 02:00", AT_0100_AST, utc(2026, 11, 28, 6, 0)),
        ("vessel sighted at 02:00", AT_1500_AST, utc(2026, 11, 29, 6, 0)),
        ("shots heard at 2am", AT_1500_AST, utc(2026, 11, 29, 6, 0)),
        ("landing at 0200 hrs near the bay", AT_1500_AST, utc(2026, 11, 29, 6, 0)),
        ("alarm at 9:15pm", AT_1500_AST, utc(2026, 11, 29, 1, 15)),
        # midnight wrap: 23:30 said ten minutes after midnight is yesterday evening
        ("boat at 23:30", datetime(2026, 11, 29, 4, 10, tzinfo=UTC), utc(2026, 11, 29, 3, 30)),
        ("yesterday at 14:30 a boat", AT_1500_AST, utc(2026, 11, 28, 18, 30)),
        ("yesterday 23:50", datetime(2026, 11, 29, 4, 5, tzinfo=UTC), utc(2026, 11, 29, 3, 50)),
        ("this morning at 06:40", AT_1500_AST, utc(2026, 11, 29, 10, 40)),
        ("this morning", AT_1500_AST, utc(2026, 11, 29, 12, 0)),
        ("this morning", AT_0100_AST, AT_0100_AST),  # 08:00 has not come: now
        ("last night", AT_1500_AST, utc(2026, 11, 29, 2, 0)),
        ("last night at 01:30", AT_1500_AST, utc(2026, 11, 29, 5, 30)),
        ("last night at 23:10", AT_1500_AST, utc(2026, 11, 29, 3, 10)),
        ("2 days ago", AT_1500_AST, AT_1500_AST - timedelta(days=2)),
        ("an hour ago", AT_1500_AST, AT_1500_AST - timedelta(hours=1)),
        ("45 minutes ago", AT_1500_AST, AT_1500_AST - timedelta(minutes=45)),
    ],
)
def test_time_phrases_in_barbados(text: str, now: datetime, expected: datetime) -> None:
    found = find_when(text, now, BARBADOS)
    assert found is not None
    assert found.at == expected
    assert found.at <= now


@pytest.mark.parametrize(
    "text", ["at 1500 metres depth", "about 20 people", "no time here", "tomorrow at 3"]
)
def test_no_time_phrase(text: str) -> None:
    assert find_when(text, AT_1500_AST, BARBADOS) is None


def test_same_words_other_zone() -> None:
    """The writer's zone decides: 02:00 in Paramaribo is 05:00 UTC, in Barbados 06:00 UTC."""
    now = utc(2026, 11, 29, 12, 0)
    assert find_when("at 02:00", now, SURINAME).at == utc(2026, 11, 29, 5, 0)  # type: ignore[union-attr]
    assert find_when("at 02:00", now, BARBADOS).at == utc(2026, 11, 29, 6, 0)  # type: ignore[union-attr]
    assert find_when("at 02:00", now, UTC).at == utc(2026, 11, 29, 2, 0)  # type: ignore[union-attr]


def test_daylight_saving_uses_the_offset_of_the_day_named() -> None:
    """Nassau left EDT (UTC-4) for EST (UTC-5) on 1 November 2026."""
    now = utc(2026, 11, 2, 15, 0)  # 10:00 EST
    assert find_when("yesterday at 14:30", now, NASSAU).at == utc(2026, 11, 1, 19, 30)  # type: ignore[union-attr]
    assert parse_when("2026-10-31 14:30", now, NASSAU) == utc(2026, 10, 31, 18, 30)
    assert show_time(utc(2026, 10, 31, 18, 30), NASSAU) == "2026-10-31 14:30 EDT"
    assert show_time(utc(2026, 11, 2, 15, 0), NASSAU) == "2026-11-02 10:00 EST"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", utc(2026, 11, 28, 18, 30)),  # a clock time alone: the last one passed
        ("at 00:30", utc(2026, 11, 29, 4, 30)),
        ("yesterday 22:00", utc(2026, 11, 29, 2, 0)),
        ("2026-11-20 14:30", utc(2026, 11, 20, 18, 30)),
        ("2026-11-20T14:30-05:00", utc(2026, 11, 20, 19, 30)),  # an explicit offset wins
        ("last night", utc(2026, 11, 29, 2, 0)),
    ],
)
def test_form_answers_in_the_writers_zone(text: str, expected: datetime) -> None:
    assert parse_when(text, AT_0100_AST, BARBADOS) == expected


@pytest.mark.parametrize("text", ["today 09:30", "this morning at 09:00", "2099-01-01"])
def test_a_time_still_to_come_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        parse_when(text, AT_0100_AST, BARBADOS)


def test_labels() -> None:
    moment = utc(2026, 11, 29, 18, 5)
    assert show_time(moment, BARBADOS) == "2026-11-29 14:05 AST"
    assert show_time(moment, SURINAME) == "2026-11-29 15:05 (UTC−3)"
    assert show_time(moment, UTC) == "2026-11-29 18:05 UTC"
    assert show_time(moment, BARBADOS, utc_too=True) == "2026-11-29 14:05 AST (18:05 UTC)"
    late = utc(2026, 11, 30, 2, 0)
    assert show_time(late, BARBADOS, utc_too=True) == "2026-11-29 22:00 AST (2026-11-30 02:00 UTC)"


SPEIGHTSTOWN = GazetteerPlace("BRB", "Speightstown", "Saint Peter", "town", 13.25, -59.643)
BOTTOM_BAY = GazetteerPlace("BRB", "Bottom Bay", "Saint Philip", "bay", 13.116, -59.423)
GAP = GazetteerPlace("BRB", "St. Lawrence Gap", "Christ Church", "village", 13.068, -59.565)
KINGSTON = GazetteerPlace("JAM", "Kingston", "Kingston", "city", 17.971, -76.793)
KINGSTON_HARBOUR = GazetteerPlace(
    "JAM", "Kingston Harbour", "Kingston", "harbour", 17.955, -76.81, ("Port of Kingston",)
)
BRB = (SPEIGHTSTOWN, BOTTOM_BAY, GAP)
JAM = (KINGSTON, KINGSTON_HARBOUR)


@pytest.mark.parametrize(
    ("text", "places", "shown", "name"),
    [
        (
            "Vessel sighted near Speightstown harbour at 02:00",
            BRB,
            "near Speightstown harbour",
            "Speightstown",
        ),
        ("Dinghy landed off bottom bay last night", BRB, "off Bottom Bay", "Bottom Bay"),
        ("Fight near Saint Lawrence Gap", BRB, "near St. Lawrence Gap", "St. Lawrence Gap"),
        ("Fire in Kingston harbour", JAM, "in Kingston Harbour", "Kingston Harbour"),
        (
            "Container seized at the Port of Kingston",
            JAM,
            "at Kingston Harbour",
            "Kingston Harbour",
        ),
        ("Skiff 12 nm north of Speightstown", BRB, "12 nm north of Speightstown", "Speightstown"),
        ("Unknown boat off Foo Cay", BRB, "off Foo Cay", ""),
    ],
)
def test_places_in_a_sentence(
    text: str, places: tuple[GazetteerPlace, ...], shown: str, name: str
) -> None:
    found = find_place(text, places)
    assert found is not None
    assert (found.text, found.name) == (shown, name)
    assert (found.lat is not None) == bool(name)


def test_place_of_another_state_is_not_found() -> None:
    """Barbados's gazetteer knows no Kingston: the words stay words, no coordinates."""
    found = find_place("boat in Kingston harbour", BRB)
    assert found is not None and found.place is None and found.lat is None
    assert find_place("boat seen at a private jetty at 02:00", BRB) is None


def test_a_whole_answer_keeps_the_words_typed() -> None:
    found = read_place("2 km south of Bottom Bay, by the cliffs", BRB)
    assert found.text == "2 km south of Bottom Bay, by the cliffs" and found.name == "Bottom Bay"
    coords = read_place("13.2012, -59.5301", BRB)
    assert (coords.lat, coords.lon, coords.place) == (13.2012, -59.5301, None)
    assert read_place("the old jetty", BRB).lat is None
    assert read_place("port of kingston", JAM).text == "Kingston Harbour"  # a name alone
