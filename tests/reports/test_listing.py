"""The console's report list: the capped count, paging past the cap, and the indexed text
search (kept in step on filing, edits and erasure) only ever narrowing the access rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from secbot.access.principal import ALL, Place, Principal, party_for
from secbot.access.reads import get_visible
from secbot.access.scope import scope_for
from secbot.db.models import Share
from secbot.db.session import Database
from secbot.domain.enums import TLP, Role, Severity
from secbot.domain.errors import InvalidInput
from secbot.reports import listing
from secbot.reports.incidents import IncidentInput, edit_incident, file_incident
from secbot.rights.service import erase_one
from tests.support.world import World

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def focal(state: str) -> Principal:
    return Principal(party_for(Role.FOCAL_POINT, state), Role.FOCAL_POINT, Place.direct())


def file(db: Database, state: str, title: str, what: str = "", where: str = "", shared=False):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        sub = file_incident(
            session,
            focal(state),
            IncidentInput(
                category="cyber_incident",
                severity=Severity.HIGH,
                title=title,
                description=what or title,
                location=where,
                occurred_at=NOW - timedelta(hours=1),
                tlp=TLP.AMBER,
            ),
        )
        if shared:
            session.add(Share(submission_id=sub.id, grantee=ALL))
        return sub.public_id


def search(db: Database, state: str, text: str, page: int = 1) -> listing.Page:
    with db.transaction() as session:
        found = listing.incidents_page(
            session, scope_for(focal(state)), listing.Filters(text=text), page, NOW
        )
        session.expunge_all()
        return found


def ids(found: listing.Page) -> list[str]:
    return sorted(s.public_id for s in found.rows)


def test_text_search_matches_parts_of_words_in_any_field_and_any_case(world: World) -> None:
    db = world.db
    world.member("a", Role.FOCAL_POINT, "BRB")
    world.member("b", Role.FOCAL_POINT, "JAM")
    one = file(db, "BRB", "Phishing wave at the port", "Mails posing as CUSTOMS", "Bridgetown")
    two = file(db, "BRB", "Boat seen", "A fast boat", "Speightstown harbour")
    secret = file(db, "JAM", "Phishing in Kingston", "phishing again")
    assert ids(search(db, "BRB", "phish")) == [one]
    assert ids(search(db, "BRB", "customs")) == [one]
    assert ids(search(db, "BRB", "HARBO")) == [two]
    assert ids(search(db, "BRB", two.lower())) == [two]
    assert ids(search(db, "BRB", "ab")) == []  # shorter than a trigram: still correct
    assert ids(search(db, "BRB", "at")) == sorted([one, two])
    # JAM's private report is found by JAM only; shared, by BRB too
    assert ids(search(db, "JAM", "phish")) == [secret]
    assert search(db, "BRB", "kingston").total == 0
    with db.transaction() as session:
        sub = get_visible(session, scope_for(focal("JAM")), secret)
        session.add(Share(submission_id=sub.id, grantee=ALL))
    assert ids(search(db, "BRB", "kingston")) == [secret]


def test_the_index_follows_edits_and_erasure(world: World) -> None:
    db = world.db
    world.member("a", Role.FOCAL_POINT, "BRB")
    pid = file(db, "BRB", "Container at the port", "undeclared chemicals")
    assert ids(search(db, "BRB", "chemicals")) == [pid]
    with db.transaction() as session:
        edit_incident(session, focal("BRB"), pid, "title", "Drums of solvent", NOW, None)
    assert ids(search(db, "BRB", "container")) == []
    assert ids(search(db, "BRB", "solvent")) == [pid]
    with db.transaction() as session:
        erase_one(session, focal("BRB"), pid)
    assert ids(search(db, "BRB", "chemicals")) == []


def test_the_count_stops_at_the_cap_and_paging_goes_on(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = world.db
    world.member("a", Role.FOCAL_POINT, "BRB")
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for n in range(6):
        file(db, "BRB", f"Report number {n}")
    file(db, "JAM", "Report of JAM")  # never counted for BRB
    first = search(db, "BRB", "report")
    assert first.more and first.total == 4 and first.pages == 2 and len(first.rows) == 2
    last = search(db, "BRB", "report", page=3)
    assert last.page == 3 and last.pages == 3 and len(last.rows) == 2
    shown = {s.public_id for p in (1, 2, 3) for s in search(db, "BRB", "report", p).rows}
    assert shown == {f"BRB-{n:04d}" for n in range(1, 7)}
    few = search(db, "BRB", "number 5")
    assert not few.more and few.total == 1 and few.pages == 1
    huge = search(db, "BRB", "report", page=10**19)  # past the cap the page is bounded
    assert huge.page == listing.MAX_PAGE and huge.rows == []


def test_control_characters_in_search_text_are_refused_politely(world: World) -> None:
    world.member("a", Role.FOCAL_POINT, "BRB")
    for text in ("\x00", "buoy\x00", "tab\there"):
        try:
            search(world.db, "BRB", text)
        except InvalidInput as refused:
            assert "control characters" in str(refused)
        else:
            raise AssertionError(f"{text!r} was searched")
