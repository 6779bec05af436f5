"""Alerts on the web: preview with the channel count, confirm, send once, the status page that
refreshes until every delivery is final, acks by state, CAP export; bad input changes nothing."""

from __future__ import annotations

import re

from sqlalchemy import event, func, select, update

from secbot.db.models import Alert, AlertDelivery
from secbot.identity.channels import add_channel
from tests.support.web import LiveConsole, csrf_of
from tests.support.world import World

FORM = {
    "headline": "Tropical storm warning",
    "body": "Secure small craft in harbours tonight.",
    "severity": "Severe",
    "urgency": "Expected",
    "certainty": "Likely",
    "category": "Met",
    "audience": "all",
    "tags": "",
    "expires": "",
}


def _rooms(people: World) -> None:
    with people.db.transaction() as session:
        for n, platform in enumerate(("telegram", "telegram", "slack")):
            add_channel(
                session,
                platform=platform,
                chat_id=f"-10{n}",
                audience="all",
                title=f"Room {n}",
                by="test",
            )


def _alerts(people: World) -> int:
    with people.db.transaction() as session:
        return int(session.scalar(select(func.count(Alert.id))) or 0)


def test_compose_preview_send_and_watch_it_finish(console: LiveConsole, people: World) -> None:
    _rooms(people)
    sec = console.signed_in("secretariat")
    preview = sec.post("/web/alerts", data={**FORM, "csrf": csrf_of(sec)})
    assert preview.status_code == 200
    assert "would reach <strong>3</strong> channels" in preview.text
    assert _alerts(people) == 0  # a preview sends nothing
    nonce = re.search(r'name="nonce" value="([^"]+)"', preview.text)
    assert nonce is not None
    confirm = {**FORM, "csrf": csrf_of(sec), "confirm": "yes", "nonce": nonce.group(1)}
    sent = sec.post("/web/alerts", data=confirm)
    assert sent.status_code == 303
    assert sec.post("/web/alerts", data=confirm).headers["location"] == sent.headers["location"]
    assert _alerts(people) == 1  # the double submit sent nothing more
    page = sec.get(sent.headers["location"])
    assert "Delivering: 0 of 3 delivered" in page.text and 'hx-trigger="every 2s"' in page.text
    with people.db.transaction() as session:  # what the dispatcher records as sends succeed
        session.execute(update(AlertDelivery).values(status="sent"))
    final = sec.get(sent.headers["location"])
    assert "Final: 3 of 3 delivered" in final.text and "hx-trigger" not in final.text
    cap = sec.get(sent.headers["location"] + "/cap.xml")
    assert cap.status_code == 200 and b"<headline>Tropical storm warning</headline>" in cap.content
    listing = sec.get("/web/alerts").text
    assert "Tropical storm warning" in listing


def test_bad_alert_input_names_the_field_and_sends_nothing(
    console: LiveConsole, people: World
) -> None:
    _rooms(people)
    sec = console.signed_in("secretariat")
    bad = sec.post(
        "/web/alerts",
        data={**FORM, "headline": "", "csrf": csrf_of(sec), "confirm": "yes", "nonce": "n1"},
    )
    assert bad.status_code == 400 and 'id="headline-error"' in bad.text
    assert _alerts(people) == 0


def test_alert_status_is_the_secretariats_only(console: LiveConsole, people: World) -> None:
    _rooms(people)
    sec = console.signed_in("secretariat")
    form = {**FORM, "csrf": csrf_of(sec), "confirm": "yes", "nonce": "n2"}
    where = sec.post("/web/alerts", data=form).headers["location"]
    focal = console.signed_in("focal")
    assert focal.get(where).status_code == 403
    assert focal.post("/web/alerts", data={**FORM, "csrf": csrf_of(focal)}).status_code == 403
    assert sec.get("/web/alerts/999").status_code == 404


def test_channels_page_lists_and_removes_rooms(console: LiveConsole, people: World) -> None:
    _rooms(people)
    with people.db.transaction() as session:
        add_channel(session, platform="slack", chat_id="C9", audience="BRB", title="Bajan", by="t")
    brb = console.signed_in("stateadmin")
    page = brb.get("/web/channels").text
    assert "Bajan" in page and "Room 0" not in page  # its own state's rooms only
    admin = console.signed_in("secadmin")
    assert "Room 0" in admin.get("/web/channels").text
    removed = admin.post("/web/channels/1/remove", data={"csrf": csrf_of(admin)})
    assert removed.status_code == 200 and "Channel #1 removed" in removed.text
    again = admin.post("/web/channels/1/remove", data={"csrf": csrf_of(admin)})
    assert again.status_code == 404


def test_the_live_count_follows_the_audience(console: LiveConsole, people: World) -> None:
    _rooms(people)
    with people.db.transaction() as session:
        add_channel(
            session, platform="telegram", chat_id="-200", audience="JAM", title="JAM", by="test"
        )
        add_channel(
            session,
            platform="slack",
            chat_id="-201",
            audience="BRB",
            title="BRB maritime",
            tags=["maritime"],
            by="test",
        )
    sec = console.signed_in("secretariat")
    form = sec.get("/web/alerts").text
    assert 'hx-get="/web/alerts/reach"' in form and 'hx-include="#audience, #tags"' in form

    def reach(audience: str, tags: str = "") -> str:
        answer = sec.get("/web/alerts/reach", params={"audience": audience, "tags": tags})
        assert answer.status_code == 200 and "<html" not in answer.text
        return answer.text

    assert '<strong id="reach-count">5</strong> channels (all channels)' in reach("all")
    assert '<strong id="reach-count">1</strong> channel (' in reach("JAM")
    assert '<strong id="reach-count">2</strong> channels' in reach("BRB JAM")
    assert '<strong id="reach-count">1</strong> channel' in reach("all", "maritime")
    assert 'class="error"' in reach("Atlantis")
    assert _alerts(people) == 0
    focal = console.signed_in("focal")
    assert focal.get("/web/alerts/reach", params={"audience": "all"}).status_code == 403


HX = {"HX-Request": "true"}


def _version(text: str) -> str:
    found = re.search(r'hx-get="/web/alerts/\d+\?since=([0-9a-f]+)"', text)
    assert found is not None, "a pending alert's status section refreshes itself"
    return found.group(1)


def test_the_refresh_sends_the_section_alone_and_nothing_when_unchanged(
    console: LiveConsole, people: World
) -> None:
    _rooms(people)
    sec = console.signed_in("secretariat")
    where = sec.post(
        "/web/alerts", data={**FORM, "csrf": csrf_of(sec), "confirm": "yes", "nonce": "n3"}
    ).headers["location"]
    version = _version(sec.get(where).text)
    section = sec.get(where, headers=HX)
    assert section.status_code == 200 and section.text.startswith('<section id="status"')
    assert "<html" not in section.text and "Delivering: 0 of 3 delivered" in section.text
    assert sec.get(f"{where}?since={version}", headers=HX).status_code == 204
    people.chat("jam").say("ack 1")  # an acknowledgement changes the section
    acked = sec.get(f"{where}?since={version}", headers=HX)
    assert acked.status_code == 200 and "<li>JAM: 1</li>" in acked.text
    version = _version(acked.text)
    with people.db.transaction() as session:
        session.execute(update(AlertDelivery).values(status="failed", last_error="gone"))
    final = sec.get(f"{where}?since={version}", headers=HX)
    assert final.status_code == 200 and "Final: 0 of 3 delivered, 3 failed" in final.text
    assert "hx-trigger" not in final.text and "<td>gone</td>" in final.text
    # the refresh keeps every check: a focal point is refused, an unknown alert is not found
    focal = console.signed_in("focal")
    assert focal.get(f"{where}?since={version}", headers=HX).status_code == 403
    assert sec.get(f"/web/alerts/999?since={version}", headers=HX).status_code == 404


def test_the_alert_view_reads_in_the_same_queries_for_any_number_of_channels(
    console: LiveConsole, people: World
) -> None:
    """No per-channel or per-ack query: 3 channels or 60, the same statements."""
    sec = console.signed_in("secretariat")
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    def statements(rooms: int, nonce: str) -> int:
        with people.db.transaction() as session:
            for n in range(rooms):
                add_channel(
                    session,
                    platform="slack",
                    chat_id=f"C{nonce}{n}",
                    audience="all",
                    title=f"Room {nonce} {n}",
                    by="test",
                )
        form = {**FORM, "csrf": csrf_of(sec), "confirm": "yes", "nonce": nonce}
        where = sec.post("/web/alerts", data=form).headers["location"]
        for name in ("focal", "jam"):
            people.chat(name).say(f"ack {where.rsplit('/', 1)[1]}")
        seen.clear()
        event.listen(people.db.engine, "before_cursor_execute", count)
        try:
            assert sec.get(where).status_code == 200
        finally:
            event.remove(people.db.engine, "before_cursor_execute", count)
        return len(seen)

    few = statements(3, "a")
    many = statements(60, "b")
    assert few == many <= 7, (few, seen)


def test_the_alert_list_counts_each_alerts_deliveries(console: LiveConsole, people: World) -> None:
    """The list's counts come from one grouped query: each alert keeps its own."""
    _rooms(people)
    sec = console.signed_in("secretariat")
    for nonce, headline in (("l1", "First warning"), ("l2", "Second warning")):
        form = {**FORM, "headline": headline, "csrf": csrf_of(sec), "confirm": "yes"}
        assert sec.post("/web/alerts", data={**form, "nonce": nonce}).status_code == 303
    with people.db.transaction() as session:
        first = session.scalar(select(Alert.id).where(Alert.headline == "First warning"))
        rows = select(AlertDelivery.id).where(AlertDelivery.alert_id == first)
        ids = list(session.scalars(rows.order_by(AlertDelivery.id)))
        session.execute(
            update(AlertDelivery).where(AlertDelivery.id == ids[0]).values(status="sent")
        )
        session.execute(
            update(AlertDelivery).where(AlertDelivery.id == ids[1]).values(status="failed")
        )
    listing = sec.get("/web/alerts").text
    assert "<td>First warning</td>" in listing
    assert re.search(r"First warning</td><td>[^<]*</td><td>1</td><td>1</td><td>1</td>", listing)
    assert re.search(r"Second warning</td><td>[^<]*</td><td>0</td><td>0</td><td>3</td>", listing)
