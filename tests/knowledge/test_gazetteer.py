"""The shipped gazetteer: every member state has its places, each region is a real ISO 3166-2
subdivision of that state (pycountry), coordinates fall near the state, and faults in a file
are reported with the file to fix. States carry a real default time zone."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pycountry
import pytest
from sqlalchemy import select

from secbot.db.models import Place, State
from secbot.db.session import Database
from secbot.domain.places import GazetteerPlace, words
from secbot.knowledge.files import load_knowledge
from secbot.knowledge.places import load_places
from secbot.knowledge.yaml_source import KnowledgeFileError
from secbot.registers.sync import sync_knowledge
from tests.support.paths import KNOWLEDGE
from tests.support.world import bundle, places

MIN_PLACES = 15


def by_state() -> dict[str, list[GazetteerPlace]]:
    grouped: dict[str, list[GazetteerPlace]] = defaultdict(list)
    for place in places():
        grouped[place.state].append(place)
    return grouped


def test_every_state_has_enough_places() -> None:
    grouped = by_state()
    for state in bundle().states:
        assert len(grouped[state.code]) >= MIN_PLACES, state.code


@pytest.mark.parametrize("code", [s.code for s in bundle().states])
def test_regions_are_iso_subdivisions_and_points_lie_near_the_state(code: str) -> None:
    country = pycountry.countries.get(alpha_3=code)
    assert country is not None
    regions = {s.name for s in pycountry.subdivisions.get(country_code=country.alpha_2) or ()}
    mine = by_state()[code]
    for place in mine:
        assert place.region in regions, f"{code} {place.name}: {place.region!r}"
    # every place within 5 degrees of the state's middle: catches a swapped sign or a typo
    lat = sorted(p.lat for p in mine)[len(mine) // 2]
    lon = sorted(p.lon for p in mine)[len(mine) // 2]
    for place in mine:
        assert abs(place.lat - lat) < 5 and abs(place.lon - lon) < 5, (code, place.name)


def test_states_have_a_real_default_time_zone() -> None:
    for state in bundle().states:
        assert state.timezone is not None, state.code
        offset = datetime(2026, 1, 15, tzinfo=ZoneInfo(state.timezone)).utcoffset()
        assert offset is not None and -6 <= offset.total_seconds() / 3600 <= -3


def test_names_are_unique_within_a_state() -> None:
    for code, mine in by_state().items():
        # an alias may differ from its own name only in punctuation ("Payne's Bay")
        seen = [key for p in mine for key in {tuple(words(n)) for n in p.names}]
        assert len(seen) == len(set(seen)), code


def copy_knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def test_a_bad_place_file_names_the_file_and_entry(tmp_path: Path) -> None:
    folder = copy_knowledge(tmp_path)
    path = folder / "places" / "BRB.yaml"
    path.write_text(path.read_text().replace("lat: 13.250", "lat: 133.250"), encoding="utf-8")
    codes = {s.code for s in bundle().states}
    with pytest.raises(KnowledgeFileError, match=r"BRB\.yaml.*places\.\d+\.lat"):
        load_places(folder, codes)
    path.write_text("state: XXX\nplaces: []\n", encoding="utf-8")
    with pytest.raises(KnowledgeFileError, match=r"not a code in states\.yaml"):
        load_places(folder, codes)


def test_a_bad_time_zone_is_refused(tmp_path: Path) -> None:
    folder = copy_knowledge(tmp_path)
    path = folder / "states.yaml"
    text = path.read_text().replace("America/Barbados", "America/Bridgetown")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeFileError, match="America/Bridgetown"):
        load_knowledge(folder)


def test_sync_loads_places_and_zones_and_follows_changes(db: Database, tmp_path: Path) -> None:
    folder = copy_knowledge(tmp_path)
    with db.transaction() as session:
        report = sync_knowledge(session, folder)
    assert report.places == len(places())
    with db.transaction() as session:
        ids = list(session.scalars(select(Place.id).order_by(Place.id)))
        assert session.get(State, "BHS").timezone == "America/Nassau"  # type: ignore[union-attr]
        sync_knowledge(session, folder)
    with db.transaction() as session:
        assert list(session.scalars(select(Place.id).order_by(Place.id))) == ids  # untouched
    (folder / "places" / "BRB.yaml").unlink()
    with db.transaction() as session:
        sync_knowledge(session, folder)
        assert session.scalar(select(Place).where(Place.state_code == "BRB")) is None
        assert session.scalar(select(Place).where(Place.state_code == "JAM")) is not None


def test_now_in_every_member_zone_is_labelled() -> None:
    """Every shipped zone gives a label with letters or a UTC offset, never a bare '-03'."""
    from secbot.domain.when import show_time

    moment = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    for state in bundle().states:
        assert state.timezone is not None
        shown = show_time(moment, ZoneInfo(state.timezone))
        assert shown.endswith(("AST", "EST", "CST", "EDT")) or "(UTC−" in shown, shown
