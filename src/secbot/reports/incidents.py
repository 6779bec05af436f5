"""Filing and correcting incident reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.access.permissions import Action, require
from secbot.access.principal import Principal
from secbot.access.reads import active_grantees, get_visible
from secbot.access.scope import scope_for
from secbot.db.models import Incident, Submission
from secbot.db.numbering import new_submission
from secbot.domain.enums import TLP, IncidentStatus, Severity
from secbot.domain.errors import InvalidInput, NotPermitted
from secbot.domain.places import PlaceFound
from secbot.domain.taxonomy import BY_KEY
from secbot.domain.text import one_line
from secbot.registers.places import places_of
from secbot.reports import fields


@dataclass(frozen=True)
class IncidentInput:
    category: str
    severity: Severity
    title: str
    description: str
    location: str
    occurred_at: datetime
    tlp: TLP = TLP.AMBER
    place: PlaceFound | None = None
    """The gazetteer entry and coordinates behind `location`, when known."""


def file_incident(
    session: Session, principal: Principal, data: IncidentInput, client_key: str | None = None
) -> Submission:
    """One transaction: number, submission, incident and audit row land together or not at all."""
    require(principal, Action.FILE_REPORT)
    assert principal.owner_party is not None
    if client_key:
        client_key = f"{principal.owner_party}:{principal.member_id}:{client_key}"[:120]
        existing = session.scalar(select(Incident).where(Incident.client_key == client_key))
        if existing is not None:
            if (
                existing.reporter_id == principal.member_id
                and existing.submission.owner_state == principal.owner_party
            ):
                return existing.submission
            client_key = None  # never hand one sender's report to another
    if data.category not in BY_KEY:
        raise InvalidInput(f"Unknown category {data.category!r}.")
    submission = new_submission(
        session,
        owner_state=principal.owner_party,
        kind="incident",
        tlp=data.tlp.value,
        created_by=principal.member_id,
    )
    session.add(
        Incident(
            submission_id=submission.id,
            reporter_id=principal.member_id,
            category=data.category,
            severity=data.severity.value,
            title=one_line(data.title, 200),
            description=data.description,
            location=one_line(data.location, 200),
            occurred_at=data.occurred_at,
            **_place_columns(data.place),
            status=IncidentStatus.OPEN.value,
            client_key=client_key,
        )
    )
    session.flush()
    audit.record(session, principal, "incident_filed", submission, tlp=data.tlp.value)
    return submission


def _place_columns(found: PlaceFound | None) -> dict[str, object]:
    found = found or PlaceFound("")
    return {
        "place": found.name,
        "region": found.region,
        "latitude": found.lat,
        "longitude": found.lon,
    }


EDITABLE = ("category", "severity", "tlp", "title", "details", "where", "when", "status")


def owned_for_change(session: Session, principal: Principal, public_id: str) -> Submission:
    """Visible first (so unknown and foreign ids read alike), then ownership and role."""
    submission = get_visible(session, scope_for(principal), public_id)
    if submission.owner_state != principal.owner_party:
        raise NotPermitted(
            f"{submission.public_id} belongs to {submission.owner_state}; only its own "
            "focal points can change it."
        )
    require(principal, Action.CHANGE_REPORT)
    return submission


def edit_incident(
    session: Session,
    principal: Principal,
    public_id: str,
    field: str,
    value: str,
    now: datetime,
    zone: tzinfo | None = None,
) -> Submission:
    """Correct one field of one of the principal's state's reports; `when` is read in the
    editor's zone, `where` against their state's gazetteer."""
    submission = owned_for_change(session, principal, public_id)
    incident = submission.incident
    if incident is None:
        raise InvalidInput(f"{submission.public_id} is not an incident report.")
    field = field.lower()
    if field not in EDITABLE:
        raise InvalidInput(
            f"I can change: {', '.join(EDITABLE)}. "
            f"Example: edit {submission.public_id} severity high"
        )
    value = value.strip()
    if not value:
        raise InvalidInput(
            f"Give the new {field}. Example: edit {submission.public_id} {field} ..."
        )
    if field == "category":
        incident.category = fields.category(value).key
    elif field == "severity":
        incident.severity = fields.severity(value).value
    elif field == "tlp":
        tlp = fields.tlp(value)
        if tlp is TLP.RED and active_grantees(session, submission.id):
            raise InvalidInput(
                f"{submission.public_id} is shared; TLP:RED never leaves your state. "
                "Unshare it first, then set RED."
            )
        submission.tlp = tlp.value
    elif field == "title":
        incident.title = fields.title(value)
    elif field == "details":
        incident.description = fields.what(value)
    elif field == "where":
        found = fields.place(value, places_of(session, submission.owner_state))
        incident.location = one_line(found.text, 200)
        for column, kept in _place_columns(found).items():
            setattr(incident, column, kept)
    elif field == "when":
        incident.occurred_at = fields.when(value, now, zone)
    elif field == "status":
        incident.status = fields.status(value).value
    submission.updated_at = now
    audit.record(session, principal, "incident_edited", submission, field=field)
    return submission
