"""How regional knowledge and register entries read on a phone."""

from __future__ import annotations

from secbot.db.models import Contact, Objective, ThreatEntry


def entry_label(entry: ThreatEntry) -> str:
    """ " · TLP:AMBER" for a state's own entry (a submission, so it carries its label on every
    line that quotes it); nothing for a regional entry (public knowledge)."""
    if entry.submission is None:
        return ""
    return f" · TLP:{str(entry.submission.tlp).upper()}"


def threat_line(entry: ThreatEntry) -> str:
    return (
        f"{entry.code} · {entry.title}{entry_label(entry)}\n"
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
