"""How submissions and regional knowledge read on a phone: short lines, TLP in capitals."""

from __future__ import annotations

from secbot.db.models import Contact, Objective, Submission, ThreatEntry
from secbot.domain.taxonomy import BY_KEY
from secbot.domain.text import one_line
from secbot.domain.when import show_when
from secbot.services.sharing import describe


def tlp(submission: Submission) -> str:
    return f"TLP:{submission.tlp}"


def incident_line(submission: Submission) -> str:
    incident = submission.incident
    if incident is None:
        return f"{submission.public_id} · {tlp(submission)}"
    category = BY_KEY[incident.category].label if incident.category in BY_KEY else incident.category
    return (
        f"{submission.public_id} · {incident.severity.upper()} · {category} · {tlp(submission)}\n"
        f"  {one_line(incident.title, 70)}"
    )


def incident_detail(submission: Submission, grantees: list[str] | None) -> str:
    """`grantees` is given only to the owner state: others never learn who else holds a report."""
    incident = submission.incident
    assert incident is not None
    category = BY_KEY[incident.category].label if incident.category in BY_KEY else incident.category
    lines = [
        f"{submission.public_id} · {tlp(submission)}",
        f"{incident.title}",
        f"Owner: {submission.owner_state}",
        f"Category: {category}",
        f"Severity: {incident.severity}",
        f"When: {show_when(incident.occurred_at)}",
        f"Where: {incident.location or 'not given'}",
        f"Status: {incident.status}",
    ]
    if incident.description and incident.description != incident.title:
        lines += ["", incident.description]
    if grantees is not None:
        shared = ", ".join(describe(g) for g in grantees) if grantees else "nobody (private)"
        lines += ["", f"Shared with: {shared}"]
    return "\n".join(lines)


def threat_line(entry: ThreatEntry) -> str:
    label = (
        f" · {entry.submission.tlp and 'TLP:' + entry.submission.tlp}" if entry.submission else ""
    )
    return (
        f"{entry.code} · {entry.title}{label}\n"
        f"  likelihood {entry.likelihood.replace('_', ' ')}, impact {entry.impact}, "
        f"lead: {entry.lead_area}, {entry.status}"
    )


def threat_detail(entry: ThreatEntry) -> str:
    return f"{threat_line(entry)}\n  {entry.description}"


def objective_line(objective: Objective) -> str:
    first = objective.indicators[0] if objective.indicators else None
    indicator = (
        f"\n  Indicator: {first['indicator']} → {first['target']} by {first['due']}"
        if first
        else ""
    )
    links = (
        f"\n  Threats: {', '.join(objective.linked_threats)}" if objective.linked_threats else ""
    )
    return (
        f"{objective.code} · {objective.title} ({objective.status.replace('_', ' ')})"
        f"{indicator}{links}"
    )


def contact_line(contact: Contact) -> str:
    where = contact.state_code or "Regional"
    return (
        f"{where} · {contact.area.replace('_', ' ')} · {contact.office}\n"
        f"  {contact.role} ({contact.organisation}) · {contact.channel}"
    )
