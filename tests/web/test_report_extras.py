"""Filing on the web holds a report like one the filer may see (as chat does), and a report's
page shows its co-ordination log only to whoever may see the report."""

from __future__ import annotations

from secbot.db.models import ResponseEntry, Submission
from secbot.reports import response
from tests.support.web import LiveConsole, csrf_of
from tests.support.world import World
from tests.web.test_signin import _report


def _count(people: World) -> int:
    with people.db.transaction() as session:
        return session.query(Submission).count()


def test_a_similar_report_is_held_until_the_filer_chooses(
    console: LiveConsole, people: World
) -> None:
    focal = console.signed_in("focal")
    assert focal.post("/web/reports", data=_report(csrf_of(focal), "")).status_code == 303
    held = focal.post("/web/reports", data=_report(csrf_of(focal), ""))
    assert held.status_code == 200 and "This may be the same event" in held.text
    assert "BRB-0001 looks like the same event" in held.text and "Add to BRB-0001" in held.text
    assert 'value="Phishing wave at the port authority"' in held.text, "the form keeps its values"
    assert _count(people) == 1, "nothing is filed while held"

    added = focal.post("/web/reports", data=_report(csrf_of(focal), "add:BRB-0001"))
    assert added.status_code == 303 and added.headers["location"].startswith(
        "/web/reports/BRB-0001"
    )
    page = focal.get(added.headers["location"]).text
    assert "no new report was filed" in page and "posing as the customs system" in page
    assert _count(people) == 1

    anyway = focal.post("/web/reports", data=_report(csrf_of(focal), "file"))
    assert anyway.status_code == 303 and anyway.headers["location"] == "/web/reports/BRB-0002"
    assert _count(people) == 2


def test_another_states_similar_report_is_named_only_when_shared(
    console: LiveConsole, people: World
) -> None:
    jam = console.signed_in("jam")
    theirs = _report(csrf_of(jam), "")
    theirs["title"] = theirs["what"]  # words alike enough (chat's measure, title and text)
    assert jam.post("/web/reports", data=theirs).status_code == 303
    focal = console.signed_in("focal")
    private = focal.post("/web/reports", data=_report(csrf_of(focal), ""))
    assert private.status_code == 303, "JAM's private report is not BRB's to be told about"
    done = jam.post("/web/reports/JAM-0001/share", data={"csrf": csrf_of(jam), "targets": "BRB"})
    assert "Shared JAM-0001 with BRB" in done.text, done.text[-800:]
    shared = focal.post("/web/reports", data=_report(csrf_of(focal), ""))
    assert "JAM-0001 looks like the same event" in shared.text, shared.text[-1500:]
    assert "Add to JAM-0001" not in shared.text and "You can't add to JAM-0001" in shared.text
    # adding to another state's report is refused (chat's words), a missing one is not found;
    # neither changes anything
    refused = focal.post("/web/reports", data=_report(csrf_of(focal), "add:JAM-0001"))
    assert refused.status_code == 403
    missing = focal.post("/web/reports", data=_report(csrf_of(focal), "add:JAM-0099"))
    assert missing.status_code == 404
    with people.db.transaction() as session:
        assert session.query(Submission).count() == 2


def test_the_report_page_shows_the_coordination_log(console: LiveConsole, people: World) -> None:
    focal = console.signed_in("focal")
    focal.post("/web/reports", data=_report(csrf_of(focal)))
    empty = focal.get("/web/reports/BRB-0001").text
    assert "Co-ordination log" in empty and "Nothing yet" in empty
    focal.post("/web/reports/BRB-0001/share", data={"csrf": csrf_of(focal), "targets": "JAM"})
    with people.db.transaction() as session:
        sub = session.query(Submission).filter_by(public_id="BRB-0001").one()
        session.add(
            ResponseEntry(
                submission_id=sub.id, number=1, kind="offer", party="JAM", body="Two patrol boats"
            )
        )
    for name in ("focal", "stateadmin", "jam"):
        page = console.signed_in(name).get("/web/reports/BRB-0001").text
        assert "JAM · Offer: Two patrol boats" in page, name
    for name in ("partner", "partneradmin"):  # CDEMA: not shared with it yet
        page = console.signed_in(name).get("/web/reports/BRB-0001")
        assert page.status_code == 404 and "patrol" not in page.text.lower(), name
    focal.post("/web/reports/BRB-0001/share", data={"csrf": csrf_of(focal), "targets": "CDEMA"})
    for name in ("partner", "partneradmin"):
        page = console.signed_in(name).get("/web/reports/BRB-0001").text
        assert "JAM · Offer: Two patrol boats" in page, name
    for name in ("secretariat", "secadmin"):
        page = console.signed_in(name).get("/web/reports/BRB-0001")
        assert page.status_code == 404 and "patrol" not in page.text.lower(), name
    assert "offer" in response.KINDS
