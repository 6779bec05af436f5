"""How reports and shares read on a phone: short lines, TLP in capitals."""

from __future__ import annotations

from datetime import UTC, tzinfo

from secbot.access.principal import ALL, SECRETARIAT, is_partner
from secbot.db.models import Incident, Submission
from secbot.domain.places import describe as describe_place
from secbot.domain.taxonomy import BY_KEY
from secbot.domain.text import one_line
from secbot.domain.when import show_time
from secbot.reports.sharing import ShareChange


def describe(target: str) -> str:
    """A share grantee as people say it."""
    return {ALL: "all states and the secretariat", SECRETARIAT: "the secretariat"}.get(
        target, target
    )


def share_lines(public_id: str, changes: list[ShareChange]) -> str:
    return "\n".join(
        f"Shared {public_id} with {describe(c.target)}."
        if c.changed
        else f"Already shared with {describe(c.target)}."
        for c in changes
    )


def unshare_lines(public_id: str, changes: list[ShareChange], remaining: list[str]) -> str:
    """What changed, then the truth about who can still see it and through which share."""
    lines = []
    for change in changes:
        who = describe(change.target)
        through_all = change.target != ALL and ALL in remaining and not is_partner(change.target)
        if change.changed and through_all:
            lines.append(
                f"Removed the share with {who}, but {who} still sees {public_id} through the "
                "share with all."
            )
        elif change.changed:
            lines.append(f"{who[0].upper()}{who[1:]} can no longer see {public_id}.")
        elif through_all:
            lines.append(
                f"{public_id} was not shared with {who} by name; {who} sees it through the "
                "share with all."
            )
        else:
            lines.append(f"{public_id} was not shared with {who}.")
    if remaining:
        lines.append("Still shared with: " + ", ".join(describe(g) for g in remaining) + ".")
    else:
        lines.append(f"Now only your state can see {public_id}.")
    return "\n".join(lines)


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


def where(incident: Incident) -> str:
    """ "near Speightstown harbour (Saint Peter · 13.2500, -59.6430)", or "not given"."""
    return describe_place(incident.location, incident.region, incident.latitude, incident.longitude)


def incident_detail(submission: Submission, grantees: list[str] | None, zone: tzinfo = UTC) -> str:
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
        f"When: {show_time(incident.occurred_at, zone, utc_too=True)}",
        f"Where: {where(incident)}",
        f"Status: {incident.status}",
    ]
    if incident.description and incident.description != incident.title:
        lines += ["", incident.description]
    if grantees is not None:
        shared = ", ".join(describe(g) for g in grantees) if grantees else "nobody (private)"
        lines += ["", f"Shared with: {shared}"]
    return "\n".join(lines)


def field_value(submission: Submission, field: str, zone: tzinfo = UTC) -> str:
    """How one editable field of a report reads after `edit`."""
    incident = submission.incident
    assert incident is not None
    shown = {
        "category": BY_KEY[incident.category].label
        if incident.category in BY_KEY
        else incident.category,
        "severity": incident.severity,
        "tlp": submission.tlp,
        "title": incident.title,
        "details": one_line(incident.description, 60),
        "where": where(incident),
        "when": show_time(incident.occurred_at, zone),
        "status": incident.status,
    }
    return shown[field]
