"""`push ID misp`: one report its owner chooses, sent to a MISP instance as an event (PyMISP).

The event's distribution follows the TLP label (CLEAR: all communities, GREEN: this community,
AMBER: the organisation that owns the deployment's key) and carries the `tlp:` tag. RED and
AMBER+STRICT never leave; every push first says who will be able to read it, and that a push
cannot be taken back, and asks. The push is recorded (audited) only after MISP said yes: when
MISP is down or refuses, the caller's transaction rolls back and nothing says it was pushed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pymisp import MISPEvent, PyMISP
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.principal import Principal
from secbot.access.scope import scope_for
from secbot.db.models import Submission
from secbot.domain.enums import TLP
from secbot.domain.errors import InvalidInput
from secbot.interchange.export import shareable_codes
from secbot.reports import incidents, links, updates


@dataclass(frozen=True)
class MispTarget:
    url: str
    key: str
    verify_tls: bool = True
    timeout: float = 15.0


TARGET: list[MispTarget | None] = [None]
"""The instance in use (one slot: bootstrap fills it from the settings, a test from its fake)."""

DISTRIBUTION: dict[TLP, tuple[int, str]] = {
    TLP.CLEAR: (3, "all communities"),
    TLP.GREEN: (1, "this community only"),
    TLP.AMBER: (0, "your organisation only"),
}
"""AMBER+STRICT is absent on purpose: it may go to the owner's organisation only, and secbot's
one MISP key belongs to the deployment's organisation (shared by every state), not the state's."""
READERS: dict[TLP, str] = {
    TLP.CLEAR: "anyone on {url} and every MISP instance it syncs with",
    TLP.GREEN: "every organisation on {url}",
    TLP.AMBER: "every user of the MISP organisation that owns this deployment's key on {url} "
    "(shared by all states using secbot, not your state alone)",
}

THREAT_LEVEL = {"critical": 1, "high": 1, "moderate": 2, "low": 3}
ANALYSIS = {"open": 0, "monitoring": 1, "closed": 2}
NAMESPACE = uuid.UUID("0b6f6f3e-2f6a-4d8e-9d8b-3a3c4f0e7d21")


@dataclass(frozen=True)
class PushOutcome:
    public_id: str
    message: str
    needs_confirmation: bool = False


def build_event(session: Session, principal: Principal, submission: Submission) -> MISPEvent:
    incident = submission.incident
    assert incident is not None
    tlp = TLP(submission.tlp)
    event = MISPEvent()
    event.uuid = str(uuid.uuid5(NAMESPACE, submission.public_id))
    event.info = f"{submission.public_id}: {incident.title}"
    event.distribution = DISTRIBUTION[tlp][0]
    event.threat_level_id = THREAT_LEVEL.get(incident.severity, 2)
    event.analysis = ANALYSIS.get(incident.status, 0)
    event.date = incident.occurred_at.date()
    event.add_tag(f"tlp:{tlp.value.lower()}")
    event.add_tag(f"secbot:category={incident.category}")
    event.add_attribute("text", incident.description or incident.title, comment="what happened")
    if incident.location:
        event.add_attribute("text", incident.location, comment="where", category="Other")
    scope = scope_for(principal)
    for update in updates.timeline(session, scope, submission.id):
        event.add_attribute("text", update.body, comment=f"update {update.at:%Y-%m-%d %H:%M} UTC")
    linked = set(links.linked_threats(session, scope, [submission.id]).get(submission.id, []))
    # Regional entries and the owner's own only: another state's entry, even one shared with
    # the owner, is that state's to publish, and a push cannot be taken back.
    for code in sorted(shareable_codes(session, submission.owner_state, linked)):
        event.add_tag(f"secbot:threat={code}")
    return event


def _send(target: MispTarget, event: MISPEvent) -> dict[str, Any]:
    """MISP's answer, or InvalidInput saying it was down or refused."""
    try:
        client = PyMISP(target.url, target.key, ssl=target.verify_tls, timeout=target.timeout)
        answer = client.add_event(event, pythonify=False)
    except Exception as error:  # PyMISP wraps connection failures in many types
        reason = " ".join(str(error).split())[:160]
        raise InvalidInput(
            f"MISP at {target.url} did not answer ({reason}). Nothing was pushed; try again later."
        ) from None
    if not isinstance(answer, dict) or "errors" in answer or "Event" not in answer:
        errors = answer.get("errors") if isinstance(answer, dict) else answer
        raise InvalidInput(f"MISP refused the event: {str(errors)[:200]}. Nothing was pushed.")
    return answer


def push_report(
    session: Session, principal: Principal, public_id: str, *, confirmed: bool
) -> PushOutcome:
    """Owner only (same rule as changing a report). The audit row is the record of the push."""
    submission = incidents.owned_for_change(session, principal, public_id)
    pid = submission.public_id
    if submission.incident is None:
        raise InvalidInput(f"{pid} is not an incident report; only reports go to MISP.")
    tlp = TLP(submission.tlp)
    if tlp is TLP.RED:
        raise InvalidInput(f"{pid} is TLP:RED, which never leaves your state: not sent to MISP.")
    if tlp is TLP.AMBER_STRICT:
        raise InvalidInput(
            f"{pid} is TLP:AMBER+STRICT, which may reach your own organisation only; MISP here "
            "holds it for the whole deployment, so it is not sent."
        )
    distribution, reach = DISTRIBUTION[tlp]
    target = TARGET[0]
    if not confirmed:
        where = target.url if target is not None else "the MISP instance"
        return PushOutcome(
            pid,
            f"{pid} is TLP:{tlp.value}. MISP will hold it with distribution “{reach}”: "
            f"{READERS[tlp].format(url=where)} can read it. A push cannot be taken back "
            "(unshare does not reach MISP). Push it?",
            needs_confirmation=True,
        )
    target = TARGET[0]
    if target is None:
        raise InvalidInput(
            "No MISP instance is configured here (SECBOT_MISP_URL and SECBOT_MISP_KEY). "
            "Ask your secretariat admin."
        )
    answer = _send(target, build_event(session, principal, submission))
    event = answer["Event"]
    audit.record(
        session,
        principal,
        "pushed_misp",
        submission,
        misp_url=target.url,
        misp_event=str(event.get("id", "")),
        misp_uuid=str(event.get("uuid", "")),
        distribution=distribution,
    )
    return PushOutcome(
        pid,
        f"Pushed {pid} to MISP as event {event.get('id', '?')} (distribution: {reach}; "
        f"tagged tlp:{tlp.value.lower()}).",
    )
