"""Every console route × every role over real HTTP: what the permission table forbids is
refused, and another state's private report answers exactly like one that does not exist."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from secbot.web.app import build_console
from tests.support.web import LiveConsole, csrf_of
from tests.support.world import World
from tests.web.conftest import ROLES
from tests.web.test_alerts import FORM, _rooms
from tests.web.test_signin import _report

STATE_MEMBERS = {"delegate", "focal", "stateadmin", "jam"}
PARTNERS = {"partner", "partneradmin"}  # of CDEMA: file their own, no brief, never `all`
FILERS = {"focal", "stateadmin", "jam"} | PARTNERS
ADMINS = {"stateadmin", "secadmin"}
MEMBERS = set(ROLES)
SECRETARIAT = {"secretariat", "secadmin"}
ALERT = {k: v for k, v in FORM.items() if k != "confirm"}

Call = Callable[[httpx.Client, str], httpx.Response]


def get(path: str) -> Call:
    return lambda client, _csrf: client.get(path)


def post(path: str, **form: str) -> Call:
    return lambda client, csrf: client.post(path, data={"csrf": csrf, **form})


# (route as registered, how to call it, roles allowed and the status they get, the status
# everyone else who is signed in gets). Strangers get 401 on all of them.
MATRIX: list[tuple[str, str, Call, set[str], int, int]] = [
    ("GET", "/", get("/web/"), MEMBERS, 200, 0),
    ("GET", "/chart.png", get("/web/chart.png"), MEMBERS - {"secadmin"} - PARTNERS, 200, 403),
    ("GET", "/reports", get("/web/reports?state=BRB&period=30d&page=2"), MEMBERS, 200, 0),
    ("GET", "/reports/new", get("/web/reports/new"), FILERS, 200, 403),
    ("POST", "/reports", lambda c, t: c.post("/web/reports", data=_report(t)), FILERS, 303, 403),
    (
        "GET",
        "/reports/{public_id}",
        get("/web/reports/BRB-0002"),
        {"delegate", "focal", "stateadmin", "secretariat", "jam"},
        200,
        404,
    ),
    (
        "POST",
        "/reports/{public_id}/share",
        post("/web/reports/BRB-0001/share", targets="TTO"),
        {"focal", "stateadmin"},
        200,
        404,
    ),
    (
        "POST",
        "/reports/{public_id}/unshare",
        post("/web/reports/BRB-0001/unshare", targets="TTO"),
        {"focal", "stateadmin"},
        200,
        404,
    ),
    (
        "POST",
        "/reports/{public_id}/edit",
        post("/web/reports/BRB-0001/edit", field="severity", value="high"),
        {"focal", "stateadmin"},
        200,
        404,
    ),
    ("GET", "/alerts", get("/web/alerts"), SECRETARIAT, 200, 403),
    ("POST", "/alerts", post("/web/alerts", **ALERT), SECRETARIAT, 200, 403),
    ("GET", "/alerts/reach", get("/web/alerts/reach?audience=JAM"), SECRETARIAT, 200, 403),
    ("GET", "/alerts/{alert_id}", get("/web/alerts/1"), SECRETARIAT, 200, 403),
    ("GET", "/alerts/{alert_id}/cap.xml", get("/web/alerts/1/cap.xml"), SECRETARIAT, 200, 403),
    ("GET", "/channels", get("/web/channels"), ADMINS, 200, 403),
    # room #1 is for all: only the secretariat admin manages it (BRB's admin: not found)
    ("POST", "/channels/{channel_id}/remove", post("/web/channels/1/remove"), ADMINS, 200, 403),
    ("GET", "/members", get("/web/members"), ADMINS, 200, 403),
    ("POST", "/invites", post("/web/invites", role="delegate", state="BRB"), ADMINS, 200, 403),
    ("POST", "/members/{member_id}/revoke", None, ADMINS, 200, 403),  # type: ignore[list-item]
    ("GET", "/audit", get("/web/audit?action=incident"), ADMINS, 200, 403),
    ("GET", "/audit.csv", get("/web/audit.csv"), ADMINS, 200, 403),
    ("GET", "/knowledge", get("/web/knowledge"), {"secadmin"}, 200, 403),
    (
        "POST",
        "/knowledge",
        lambda c, t: c.post("/web/knowledge", data={"csrf": t}, files={"file": NOTE}),
        {"secadmin"},
        303,
        403,
    ),
    # the document the upload just above added (without confirm=yes: the confirm page)
    ("POST", "/knowledge/{doc_id}/remove", post("/web/knowledge/1/remove"), {"secadmin"}, 200, 403),
]
NOTE = ("note.md", b"# Regional note\n\n1. Harbour patrols meet every Monday.\n", "text/markdown")
EXCEPTIONS = {
    # a delegate of BRB sees BRB-0001 but may not change it: refused as not permitted
    ("delegate", "/reports/{public_id}/share"): 403,
    ("delegate", "/reports/{public_id}/unshare"): 403,
    ("delegate", "/reports/{public_id}/edit"): 403,
    # BRB's admin manages BRB only: a JAM member is "no member you manage"
    ("stateadmin", "/members/{member_id}/revoke"): 404,
    ("stateadmin", "/channels/{channel_id}/remove"): 404,
}
PUBLIC = {("GET", "/signin"), ("POST", "/signin"), ("POST", "/signout")}


def test_the_matrix_names_every_route() -> None:
    """A route added without a line here fails this test."""
    app = build_console(None, "http://127.0.0.1")  # type: ignore[arg-type]
    registered = {
        (r.method, r.resource.canonical)
        for r in app.router.routes()
        if r.method != "HEAD"
        and r.resource is not None
        and not r.resource.canonical.startswith("/static")
    }
    assert registered == {(m, p) for m, p, *_ in MATRIX} | PUBLIC


def _files_reports(console: LiveConsole) -> None:
    """BRB-0001 private (AMBER), BRB-0002 shared with all; JAM-0001 private."""
    focal = console.signed_in("focal")
    for _ in range(2):
        assert focal.post("/web/reports", data=_report(csrf_of(focal))).status_code == 303
    shared = focal.post(
        "/web/reports/BRB-0002/share", data={"csrf": csrf_of(focal), "targets": "all"}
    )
    assert shared.status_code == 200, shared.text
    jam = console.signed_in("jam")
    assert jam.post("/web/reports", data=_report(csrf_of(jam))).status_code == 303


def _sends_alert(console: LiveConsole, people: World) -> None:
    _rooms(people)
    sec = console.signed_in("secretariat")
    form = {**FORM, "csrf": csrf_of(sec), "confirm": "yes", "nonce": "matrix"}
    assert sec.post("/web/alerts", data=form).status_code == 303


@pytest.mark.timeout(300)
def test_every_route_for_every_role(console: LiveConsole, people: World) -> None:
    _files_reports(console)
    _sends_alert(console, people)
    people.member("spare-jam", *ROLES["jam"])
    wrong: list[str] = []
    clients = {name: console.signed_in(name) for name in ROLES}
    stranger = console.client()
    for method, route, call, allowed, ok, refused in MATRIX:
        for name in [*ROLES, "stranger"]:
            if call is None:  # revoke a JAM member: only the secretariat admin may
                this = post(f"/web/members/{console.member_id('spare-jam')}/revoke")
            else:
                this = call
            client = clients.get(name, stranger)
            csrf = csrf_of(client) if name != "stranger" else ""
            answer = this(client, csrf)
            if name == "stranger":
                expected = 401
            elif (name, route) in EXCEPTIONS:
                expected = EXCEPTIONS[(name, route)]
            else:
                expected = ok if name in allowed else refused
            if answer.status_code != expected:
                wrong.append(f"{name} {method} {route}: {answer.status_code}, wanted {expected}")
    assert not wrong, "\n".join(wrong)


def test_not_yours_reads_exactly_like_missing(console: LiveConsole) -> None:
    _files_reports(console)
    for name in ("jam", "secretariat", "secadmin"):
        client = console.signed_in(name)
        private = client.get("/web/reports/BRB-0001")
        missing = client.get("/web/reports/BRB-0999")
        assert private.status_code == missing.status_code == 404
        assert private.text.replace("BRB-0001", "X") == missing.text.replace("BRB-0999", "X")
        listing = client.get("/web/reports?text=phishing").text
        assert "BRB-0001" not in listing
        shared = client.post(
            "/web/reports/BRB-0001/share", data={"csrf": csrf_of(client), "targets": "JAM"}
        )
        assert shared.status_code == 404
        assert shared.text.replace("BRB-0001", "X") == missing.text.replace("BRB-0999", "X")


def test_lists_show_only_what_the_rule_allows(console: LiveConsole) -> None:
    _files_reports(console)
    jam = console.signed_in("jam").get("/web/reports").text
    assert "BRB-0002" in jam and "JAM-0001" in jam and "BRB-0001" not in jam
    secretariat = console.signed_in("secretariat").get("/web/reports").text
    assert "BRB-0002" in secretariat and "JAM-0001" not in secretariat
    admin = console.signed_in("secadmin").get("/web/reports").text
    assert "0 reports you may see" in admin


def test_bad_form_input_gets_chat_words_and_changes_nothing(console: LiveConsole) -> None:
    focal = console.signed_in("focal")
    bad = focal.post("/web/reports", data={**_report(csrf_of(focal)), "severity": "huge"})
    assert bad.status_code == 400 and "Severity is low, moderate, high or critical." in bad.text
    assert "0 reports you may see" in focal.get("/web/reports").text
    assert focal.get("/web/reports?tlp=PURPLE").status_code == 400


def test_the_dashboard_brief_follows_an_unshare_at_once(console: LiveConsole) -> None:
    """The brief is cached, but keyed on the change log: an unshare shows on the next view."""
    _files_reports(console)
    secretariat = console.signed_in("secretariat")
    assert "Reports this period</dt><dd>1</dd>" in secretariat.get("/web/").text
    focal = console.signed_in("focal")
    focal.post("/web/reports/BRB-0002/unshare", data={"csrf": csrf_of(focal), "targets": "all"})
    assert "Reports this period</dt><dd>0</dd>" in secretariat.get("/web/").text
    focal.post("/web/reports/BRB-0001/share", data={"csrf": csrf_of(focal), "targets": "all"})
    assert "Reports this period</dt><dd>1</dd>" in secretariat.get("/web/").text
