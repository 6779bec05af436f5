"""Journeys in headless Chromium (the Debian package, driven by Playwright; never `playwright
install`): sign in through a link, file a report, share it with JAM and read it as JAM; a revoked
member's open page refuses the next request. Screenshots go under the data dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secbot.identity.members import revoke_member
from tests.support.web import LiveConsole
from tests.support.world import World

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS_COPY = os.environ.get("SECBOT_WEB_SCREENSHOTS")
"""Set to a folder (docs/web) to keep a copy of the screenshots for the README."""


def _why_not() -> str:
    if not CHROMIUM.exists():
        return f"browser journeys skipped: {CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser journeys skipped: the playwright package is not installed"
    return ""


WHY_NOT = _why_not()
if WHY_NOT:
    print(WHY_NOT)
pytestmark = pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def shot(page: Any, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    if SHOTS_COPY:
        Path(SHOTS_COPY).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(SHOTS_COPY) / target.name)


def sign_in(browser: Any, console: LiveConsole, name: str) -> Any:
    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    page.goto(f"{console.url}/web/signin?token={console.link(name)}")
    page.click("#signin")
    page.wait_for_url(f"{console.url}/web/")
    return page


@pytest.mark.timeout(180)
def test_file_share_and_read_as_jam(browser: Any, console: LiveConsole, tmp_path: Path) -> None:
    shots = tmp_path / "var" / "screenshots"
    focal = sign_in(browser, console, "focal")
    assert "Dashboard" in focal.title()
    focal.click("text=File a report")
    focal.select_option("#category", "cyber_incident")
    focal.select_option("#severity", "high")
    focal.fill("#title", "Phishing wave at the port authority")
    focal.fill("#what", "Staff received phishing mails posing as the customs system")
    focal.fill("#where", "Bridgetown")
    focal.fill("#when", "2 hours ago")
    shot(focal, shots, "file-report")
    focal.click("#file")
    focal.wait_for_url("**/web/reports/BRB-0001")
    assert "Nobody (private)" in focal.content()
    focal.fill("#targets", "jamaica")
    focal.click("#share")
    assert "Shared BRB-0001 with JAM" in focal.inner_text("main")
    shot(focal, shots, "report")
    focal.goto(f"{console.url}/web/reports")
    shot(focal, shots, "reports")
    jam = sign_in(browser, console, "jam")
    jam.click("nav >> text=Reports")
    jam.click("text=BRB-0001")
    assert "Phishing wave at the port authority" in jam.inner_text("main")
    assert "Share with" not in jam.content()  # JAM may read, not share, BRB's report
    focal.goto(f"{console.url}/web/")
    shot(focal, shots, "dashboard")
    assert (shots / "report.png").stat().st_size > 5000


@pytest.mark.timeout(180)
def test_a_revoked_members_open_page_refuses_the_next_request(
    browser: Any, console: LiveConsole, people: World
) -> None:
    page = sign_in(browser, console, "delegate")
    page.click("nav >> text=Reports")
    assert "reports you may see" in page.inner_text("main")
    with people.db.transaction() as session:
        revoke_member(session, console.member_id("delegate"), by="test", now=console.clock())
    page.click("nav >> text=Dashboard")
    assert "Please sign in" in page.inner_text("main")


@pytest.mark.timeout(180)
def test_an_alert_is_sent_and_its_page_reaches_delivered(
    browser: Any, console: LiveConsole, people: World, tmp_path: Path
) -> None:
    """The page refreshes itself (htmx, under the CSP) while the dispatcher sends to the fake
    Telegram and Slack servers, until every delivery is final."""
    import threading

    from tests.fakes.slack_server import FakeSlackServer
    from tests.fakes.telegram_server import FakeTelegramServer
    from tests.support.alerts import register, run_until_done, senders

    with FakeTelegramServer() as telegram, FakeSlackServer() as slack:
        register(people.db, "telegram", "-1000")
        register(people.db, "telegram", "-1001")
        slack.add_channel("C000")
        register(people.db, "slack", "C000", workspace="T1")
        page = sign_in(browser, console, "secretariat")
        page.click("nav >> text=Alerts")
        page.wait_for_selector("#reach-count")  # the live count, fetched by htmx on load
        assert page.inner_text("#live-reach").startswith("Would reach 3 channels")
        page.fill("#audience", "Atlantis")
        page.wait_for_selector("#live-reach .error")
        page.fill("#audience", "all")
        page.wait_for_selector("#reach-count")
        assert "3 channels" in page.inner_text("#live-reach")
        shot(page, tmp_path / "var" / "screenshots", "alert-compose")
        page.fill("#headline", "Tropical storm warning")
        page.fill("#body", "Secure small craft in harbours tonight.")
        page.click("#preview")
        assert "would reach 3 channels" in page.inner_text("#reach")
        page.click("#send")
        page.wait_for_url("**/web/alerts/1")
        assert "Delivering: 0 of 3 delivered" in page.inner_text("#summary")
        dispatching = threading.Thread(
            target=run_until_done, args=(people.db, senders(telegram.url, slack.base_url))
        )
        dispatching.start()
        page.wait_for_selector("text=Final: 3 of 3 delivered", timeout=30_000)
        dispatching.join(30)
        shot(page, tmp_path / "var" / "screenshots", "alert")
        assert len(telegram.sent()) == 2 and len(slack.posted()) == 1


@pytest.mark.timeout(240)
def test_every_page_renders_without_a_browser_error(
    browser: Any, console: LiveConsole, people: World, tmp_path: Path
) -> None:
    """Each page, as the role that uses it, with no console error (a CSP violation, a missing
    asset, a script error would show there); a screenshot of each under the data dir."""
    from tests.support.alerts import register, send_alert

    register(people.db, "telegram", "-1000")
    send_alert(people.db)
    shots = tmp_path / "var" / "screenshots"
    tour = {
        "focal": ["/web/", "/web/reports", "/web/reports/new"],
        "secretariat": ["/web/alerts", "/web/alerts/1"],
        "stateadmin": ["/web/members", "/web/channels", "/web/audit"],
        "secadmin": ["/web/members", "/web/channels", "/web/audit", "/web/knowledge"],
        "partner": ["/web/", "/web/reports", "/web/reports/new"],
    }
    for name, paths in tour.items():
        page = sign_in(browser, console, name)
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        for path in paths:
            page.goto(f"{console.url}{path}")
            page.wait_for_load_state("networkidle")
            shot(page, shots, f"{name}{path.replace('/', '-')}")
            assert page.title().endswith("secbot console")
        assert not errors, f"{name}: {errors}"


@pytest.mark.timeout(180)
def test_a_similar_report_is_held_and_the_log_shows(
    browser: Any, console: LiveConsole, tmp_path: Path
) -> None:
    shots = tmp_path / "var" / "screenshots"
    focal = sign_in(browser, console, "focal")
    for _ in range(2):
        focal.goto(f"{console.url}/web/reports/new")
        focal.select_option("#category", "cyber_incident")
        focal.select_option("#severity", "high")
        focal.fill("#title", "Phishing wave at the port authority")
        focal.fill("#what", "Staff received phishing mails posing as the customs system")
        focal.fill("#where", "Bridgetown")
        focal.click("#file")
    focal.wait_for_selector("#similar")
    assert "BRB-0001 looks like the same event" in focal.inner_text("#similar")
    shot(focal, shots, "similar")
    focal.click("text=Add to BRB-0001")
    focal.wait_for_url("**/web/reports/BRB-0001?added=1")
    assert "no new report was filed" in focal.inner_text("main")
    assert "Nothing yet" in focal.inner_text("#log")
    shot(focal, shots, "report-log")


@pytest.mark.timeout(180)
def test_a_document_is_uploaded_and_removed(
    browser: Any, console: LiveConsole, tmp_path: Path
) -> None:
    note = tmp_path / "harbour-note.md"
    note.write_text("# Harbour security note\n\n1. Patrols meet every Monday.\n")
    admin = sign_in(browser, console, "secadmin")
    admin.click("nav >> text=Knowledge")
    admin.set_input_files("#file", str(note))
    admin.click("#upload")
    admin.wait_for_selector("text=Added harbour-note.md")
    assert "Harbour security note" in admin.inner_text("#documents")
    shot(admin, tmp_path / "var" / "screenshots", "knowledge")
    admin.click("text=Remove…")
    admin.click("#confirm-remove")
    admin.wait_for_selector("text=Removed harbour-note.md.")
    assert "No documents yet." in admin.inner_text("main")
