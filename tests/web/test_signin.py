"""Sign-in links and sessions over real HTTP: single use, ten minutes, one member, revocation
ends everything at once; CSRF on every POST; cookie flags; a planted cookie is never adopted."""

from __future__ import annotations

from secbot.identity.members import revoke_member
from tests.support.web import LiveConsole, csrf_of
from tests.support.world import World

REFUSED = "This sign-in link cannot be used"


def test_a_link_signs_in_once(console: LiveConsole) -> None:
    token = console.link("focal")
    first, second = console.client(), console.client()
    assert first.get(f"/web/signin?token={token}").status_code == 200  # a preview spends nothing
    assert first.post("/web/signin", data={"token": token}).status_code == 303
    page = first.get("/web/")
    assert page.status_code == 200 and "focal · BRB · focal point" in page.text
    again = second.post("/web/signin", data={"token": token})
    assert again.status_code == 400 and REFUSED in again.text
    assert second.get("/web/").status_code == 401


def test_a_link_expires_after_ten_minutes(console: LiveConsole) -> None:
    token = console.link("focal")
    console.clock.advance(minutes=10)
    refused = console.client().post("/web/signin", data={"token": token})
    assert refused.status_code == 400 and REFUSED in refused.text


def test_a_link_is_bound_to_its_member(console: LiveConsole) -> None:
    """Whoever holds JAM's link is JAM, never the member who forwarded it; and an unknown or
    altered token is refused like a spent one."""
    client = console.client()
    client.post("/web/signin", data={"token": console.link("jam")})
    assert "jam · JAM" in client.get("/web/").text
    wrong = console.client().post("/web/signin", data={"token": console.link("focal") + "x"})
    assert wrong.status_code == 400 and REFUSED in wrong.text


def test_revoking_a_member_kills_links_and_sessions_at_once(
    console: LiveConsole, people: World
) -> None:
    client = console.signed_in("delegate")
    spare = console.link("delegate")
    assert client.get("/web/reports").status_code == 200
    with people.db.transaction() as session:
        revoke_member(session, console.member_id("delegate"), by="test", now=console.clock())
    assert client.get("/web/reports").status_code == 401
    refused = console.client().post("/web/signin", data={"token": spare})
    assert refused.status_code == 400 and REFUSED in refused.text


def test_idle_sessions_end_after_thirty_minutes(console: LiveConsole) -> None:
    client = console.signed_in("focal")
    console.clock.advance(minutes=29)
    assert client.get("/web/").status_code == 200  # activity keeps it alive
    console.clock.advance(minutes=29)
    assert client.get("/web/").status_code == 200
    console.clock.advance(minutes=31)
    assert client.get("/web/").status_code == 401


def test_a_busy_session_still_ends_twelve_hours_after_sign_in(console: LiveConsole) -> None:
    client = console.signed_in("focal")
    for _ in range(23):  # 23 x 29 minutes of steady use: 11 h 7 min
        console.clock.advance(minutes=29)
        assert client.get("/web/").status_code == 200
    console.clock.advance(minutes=29)  # 11 h 36 min
    assert client.get("/web/").status_code == 200
    console.clock.advance(minutes=25)  # 12 h 1 min
    assert client.get("/web/").status_code == 401


def test_signing_in_spends_the_members_other_links(console: LiveConsole) -> None:
    spare, used = console.link("focal"), console.link("focal")
    assert console.client().post("/web/signin", data={"token": used}).status_code == 303
    refused = console.client().post("/web/signin", data={"token": spare})
    assert refused.status_code == 400 and REFUSED in refused.text


def test_sign_out_ends_the_session_on_the_server(console: LiveConsole) -> None:
    client = console.signed_in("focal")
    cookie = client.cookies.get("secbot_web")
    out = client.post("/web/signout", data={"csrf": csrf_of(client)})
    assert out.status_code == 200 and "signed out" in out.text
    replay = console.client()
    replay.cookies.set("secbot_web", cookie or "", domain="127.0.0.1", path="/web")
    assert replay.get("/web/").status_code == 401


def test_posts_without_the_right_csrf_token_change_nothing(console: LiveConsole) -> None:
    client = console.signed_in("focal")
    form = {"targets": "JAM"}
    client.post("/web/reports", data=_report(csrf_of(client)))
    for token in (None, "wrong", csrf_of(console.signed_in("stateadmin"))):
        data = form if token is None else {**form, "csrf": token}
        refused = client.post("/web/reports/BRB-0001/share", data=data)
        assert refused.status_code == 403 and "security token" in refused.text
        filed = client.post("/web/reports", data={**_report(""), "csrf": token or ""})
        assert filed.status_code == 403
    page = client.get("/web/reports/BRB-0001").text
    assert "Nobody (private)" in page
    assert "BRB-0002" not in client.get("/web/reports").text


def test_cookie_flags_and_headers(people: World) -> None:
    live = LiveConsole(people.db, base_url="https://console.example.org")
    try:
        answer = live.client().post("/web/signin", data={"token": live.link("focal")})
        cookie = answer.headers["set-cookie"]
        for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/web"):
            assert flag in cookie, cookie
        headers = answer.headers
        assert headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
    finally:
        live.stop()
    plain = LiveConsole(people.db)
    try:
        cookie = plain.client().post("/web/signin", data={"token": plain.link("focal")})
        assert "Secure" not in cookie.headers["set-cookie"]
    finally:
        plain.stop()


def test_a_planted_session_cookie_is_never_adopted(console: LiveConsole) -> None:
    """Session fixation: the cookie a browser brings to sign-in is ended, a new one issued."""
    attacker = console.signed_in("jam")
    planted = attacker.cookies.get("secbot_web") or ""
    victim = console.client()
    victim.cookies.set("secbot_web", planted, domain="127.0.0.1", path="/web")
    answer = victim.post("/web/signin", data={"token": console.link("focal")})
    issued = answer.cookies.get("secbot_web")
    assert issued and issued != planted
    assert attacker.get("/web/").status_code == 401


def test_sign_in_from_another_site_is_refused(console: LiveConsole) -> None:
    token = console.link("focal")
    answer = console.client().post(
        "/web/signin", data={"token": token}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert console.client().post("/web/signin", data={"token": token}).status_code == 303


def _report(csrf: str, confirm: str = "file") -> dict[str, str]:
    """The filing form; `confirm=file` files even when a similar report is held up."""
    return {
        "csrf": csrf,
        "confirm": confirm,
        "category": "cyber_incident",
        "severity": "high",
        "title": "Phishing wave at the port authority",
        "what": "Staff received phishing mails posing as the customs system",
        "where": "Bridgetown",
        "when": "2 hours ago",
        "tlp": "AMBER",
    }
