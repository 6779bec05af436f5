"""Every reply line that quotes a submission (a report, or a state's own register entry, which
is a submission too) shows its TLP label in capitals: in `threat CODE` activity, in `threats`,
in `threat BRB-T01`, in `incident ID`'s linked threats, in link suggestions and in the brief's
register activity (message, markdown, JSON)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from secbot.domain.enums import Role
from tests.support.world import World

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
QUOTED = re.compile(r"\b[A-Z]{3}-(?:\d{4}|T\d{2})\b")
LABEL = re.compile(r"(?:TLP:|\[)(?:CLEAR|GREEN|AMBER\+STRICT|AMBER|RED)\b")


def unlabelled(reply: str) -> list[str]:
    return [line for line in reply.splitlines() if QUOTED.search(line) and not LABEL.search(line)]


@pytest.fixture
def clocked(world: World) -> World:
    assert world.engine is not None
    world.engine.clock = lambda: NOW
    return world


def test_threat_threats_links_and_brief_lines_carry_the_label(clocked: World) -> None:
    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    assert "BRB-T01" in alice.say("threat add Smuggling of parrots through Speightstown marina")
    filed = alice.say("report Parrot smuggling boat intercepted at Speightstown marina")
    suggestion = filed.split("Is BRB-0001 about one of these", 1)[1]
    entry_lines = [line for line in suggestion.splitlines() if "BRB-T01" in line]
    assert entry_lines and all("TLP:AMBER" in line for line in entry_lines), suggestion
    alice.say("link BRB-0001 BRB-T01")
    alice.say("link BRB-0001 RT-05")

    activity = alice.say("threat RT-05")
    assert "BRB-0001 TLP:AMBER" in activity and not unlabelled(activity), activity
    own = alice.say("threat BRB-T01")
    assert "TLP:AMBER" in own.splitlines()[0] and not unlabelled(own), own
    listed = "\n".join(r.text for r in alice.send("threats"))
    assert "BRB-T01" in listed and not unlabelled(listed), listed
    detail = alice.say("incident BRB-0001")
    linked = next(line for line in detail.splitlines() if line.startswith("Linked threats"))
    assert "BRB-T01 Smuggling" in linked and "TLP:AMBER" in linked, linked

    clocked.engine.clock = lambda: NOW + timedelta(hours=1)  # the report is in the past
    brief = alice.say("brief")
    assert "BRB-T01 TLP:AMBER (1)" in brief and not unlabelled(brief), brief


def test_the_brief_annexes_label_a_state_entry(clocked: World) -> None:
    from sqlalchemy.orm import Session

    from secbot.access.principal import Place, Principal
    from secbot.access.scope import scope_for
    from secbot.briefs import Period, build_brief, render_json, render_markdown

    alice = clocked.member("alice", Role.FOCAL_POINT, "BRB")
    alice.say("threat add Smuggling of parrots through Speightstown marina")
    alice.say("report Parrot smuggling boat intercepted at Speightstown marina")
    alice.say("link BRB-0001 BRB-T01")
    with clocked.db.transaction() as session:
        assert isinstance(session, Session)
        brief = build_brief(
            session,
            scope_for(Principal("BRB", Role.FOCAL_POINT, Place.direct())),
            reader="alice",
            period=Period.WEEK,
            states=None,
            now=NOW + timedelta(hours=1),
        )
    threats = {t["code"]: t["tlp"] for t in json.loads(render_json(brief))["threats"]}
    assert threats["BRB-T01"] == "AMBER"
    markdown = render_markdown(brief)
    assert "- BRB-T01 TLP:AMBER Smuggling" in markdown and not unlabelled(markdown), markdown
