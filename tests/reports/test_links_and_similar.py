"""Filing closes the loop: link suggestions with buttons, the similar-report check with *Add to
it*, `link`/`unlink`/`update`, the timeline in `incident ID`, and `threat CODE` activity, each
seen only by those who may see the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from secbot.db.models import AuditEvent, ReportLink, ReportUpdate, Submission
from secbot.db.session import Database
from secbot.domain.enums import Role
from tests.support.world import Chat, World

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # 11:00 in Barbados


@pytest.fixture
def clocked(world: World) -> World:
    assert world.engine is not None
    world.engine.clock = lambda: NOW
    return world


def press_starting(chat: Chat, prefix: str) -> str:
    for button in chat.buttons():
        if button.label.startswith(prefix):
            return "\n".join(r.text for r in chat.send("", payload=button.payload))
    raise AssertionError(f"no button {prefix!r}… in {[b.label for b in chat.buttons()]}")


def count(db: Database, model: type, **where: object) -> int:
    with db.transaction() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(session.scalar(query) or 0)


def test_file_link_then_same_event_is_added_as_an_update(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    text = alice.say("report Go-fast boat landing cocaine bales near Speightstown at 02:00")
    assert "Filed BRB-0001" in text
    assert "Is BRB-0001 about one of these register entries?" in text
    labels = [b.label for b in alice.buttons()]
    assert any(label.startswith("Link to RT-05") for label in labels), labels
    assert "Skip" in labels
    assert "Linked BRB-0001 to RT-05" in press_starting(alice, "Link to RT-05")
    assert count(db, ReportLink) == 1

    # A second report close by (Port St. Charles is 1.3 km away) and 1 hour later: held.
    text = alice.say("report Second boat seen leaving Port St. Charles at 03:00")
    assert "BRB-0001 looks like the same event (1 h earlier, Speightstown" in text, text
    assert count(db, Submission, kind="incident") == 1
    assert "Added to BRB-0001 as a dated update" in alice.press("Add to it")
    assert count(db, Submission, kind="incident") == 1
    assert count(db, ReportUpdate) == 1

    detail = alice.say("incident BRB-0001")
    assert "Linked threats: RT-05 Cocaine transshipment" in detail
    assert "Timeline (1 update, oldest first):" in detail
    assert "2026-11-29 11:00 AST · BRB: Second boat seen leaving Port St. Charles" in detail

    # the button again (a second tap) finds nothing waiting and changes nothing
    assert "No report is waiting" in alice.say("/filing add BRB-0001")
    assert count(db, ReportUpdate) == 1


def test_file_anyway_files_and_cancel_files_nothing(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Fishing boat capsized off Bathsheba, two crew rescued")
    text = alice.say("report Fishing boat capsized off Bathsheba two crew rescued by yacht")
    assert "BRB-0001 looks like the same event" in text
    assert "Nothing was filed." in alice.press("✖ Cancel")
    assert count(db, Submission, kind="incident") == 1
    alice.say("report Fishing boat capsized off Bathsheba two crew rescued by yacht")
    assert "Saved BRB-0002" in alice.press("File anyway")
    assert count(db, Submission, kind="incident") == 2


def test_guided_form_is_checked_too(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("report Oil spill seen in Carlisle Bay at 09:00")
    for answer in (
        "report",
        "environmental damage",
        "moderate",
        "Oil sheen spreading in Carlisle Bay",
        "Carlisle Bay",
        "now",
        "AMBER",
        "save",
    ):
        text = alice.say(answer)
    assert "BRB-0001 looks like the same event" in text, text
    assert "Added to BRB-0001" in alice.press("Add to it")
    assert count(db, Submission, kind="incident") == 1


def test_update_is_one_per_delivery_and_owner_only(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    bob = clocked.member("bob", Role.DELEGATE, "BRB")
    jan = clocked.member("jan", Role.FOCAL_POINT, "JAM")
    alice.say("report Armed robbery at Oistins fish market")
    assert "Added an update to BRB-0001" in alice.say("update BRB-0001 Two arrested", key="m1")
    # the same delivery again (the engine's dedup) and the same key in a new message (the
    # update's own key) both leave one update
    alice.say("update BRB-0001 Two arrested", key="m1")
    assert count(db, ReportUpdate) == 1
    assert "Only focal points" in bob.say("update BRB-0001 hello")
    assert "No report BRB-0001" in jan.say("update BRB-0001 hello") or "can't" in jan.say(
        "update BRB-0001 hello"
    )
    assert "Say what changed" in alice.say("update BRB-0001")
    assert count(db, ReportUpdate) == 1


def test_links_and_activity_follow_the_report(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    jan = clocked.member("jan", Role.FOCAL_POINT, "JAM")
    alice.say("report Ransomware locked the port authority billing servers")
    assert "Linked BRB-0001 to RT-12" in alice.say("link brb-1 rt-12")
    assert "already linked" in alice.say("link BRB-0001 RT-12")
    assert "Linked reports you can see (1)" in alice.say("threat RT-12")
    assert "2026-11: 1 · BRB-0001" in alice.say("threat RT-12")
    # JAM sees neither the report nor its link, nor a count that gives it away
    assert "Linked reports you can see: none" in jan.say("threat RT-12")
    assert "BRB-0001" not in jan.say("threat RT-12")
    alice.say("share BRB-0001 JAM")
    assert "2026-11: 1 · BRB-0001" in jan.say("threat RT-12")
    assert "Linked threats: RT-12" in jan.say("incident BRB-0001")
    assert "belongs to BRB" in jan.say("link BRB-0001 RT-13")
    # a JAM report that looks like BRB's: JAM may see it but not change it
    text = jan.say("report Ransomware locked the port authority billing servers again")
    assert "You can't add to BRB-0001" in text, text
    assert not any(b.label == "Add to it" for b in jan.buttons())
    assert "It may be the same event as BRB-0001" in jan.press("File anyway")
    alice.say("unshare BRB-0001 JAM")
    assert "BRB-0001" not in jan.say("threat RT-12")
    assert "Unlinked BRB-0001 from RT-12" in alice.say("unlink BRB-0001 RT-12")
    assert "is not linked" in alice.say("unlink BRB-0001 RT-12")
    with db.transaction() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"report_linked", "report_unlinked"} <= actions


def test_private_state_entry_links_stay_with_the_entry(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    jan = clocked.member("jan", Role.FOCAL_POINT, "JAM")
    alice.say("threat add Smuggling of parrots through Speightstown marina")
    alice.say("report Parrot smuggling boat intercepted at Speightstown marina")
    assert "BRB-T01" in " ".join(b.payload for b in alice.buttons())
    assert "Linked BRB-0001 to BRB-T01" in alice.say("link BRB-0001 BRB-T01")
    alice.say("share BRB-0001 JAM")
    # JAM sees the report but not BRB's own register entry, so not the link either
    assert "BRB-T01" not in jan.say("incident BRB-0001")
    assert "Filed JAM-0001" in jan.say("report Parrots smuggled by boat near Montego Bay")
    assert "BRB-T01" not in " ".join(b.payload for b in jan.buttons())
    assert "can't find a register entry" in jan.say("link JAM-0001 BRB-T01")


def test_a_share_revoked_while_a_report_is_held_is_not_named(clocked: World, db: Database) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    jan = clocked.member("jan", Role.FOCAL_POINT, "JAM")
    alice.say("report Ransomware locked the port authority billing servers")
    alice.say("share BRB-0001 JAM")
    text = jan.say("report Ransomware locked the port authority billing servers again")
    assert "BRB-0001 looks like the same event" in text, text
    assert "TLP:" in text.split("looks like the same event", 1)[1].splitlines()[0]
    alice.say("unshare BRB-0001 JAM")
    filed = jan.press("File anyway")
    assert "Saved JAM-0001" in filed, filed
    assert "BRB-0001" not in filed
