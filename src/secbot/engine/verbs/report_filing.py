"""Filing with the two checks that close the loop: is this the same event as a report the filer
can already see (hold it and offer *Add to it* / *File anyway*), and which register entries is it
about (offer `Link to …` buttons once it is filed).

A held report waits in the member's Draft row under the flow `report_pending` (a restart loses
nothing); `filing add ID`, `filing file` and `filing drop` (the buttons) settle it, each in one
transaction. The checks run under the Scope of the chat where the report is filed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from secbot.access.permissions import Action, allowed
from secbot.db.models import Draft, Incident, Submission
from secbot.domain.enums import TLP, Severity
from secbot.domain.errors import InvalidInput
from secbot.domain.places import PlaceFound
from secbot.domain.when import show_time
from secbot.engine.context import Context
from secbot.engine.messages import Reply
from secbot.engine.render import report_extras
from secbot.knowledge.units import submission_unit
from secbot.registers.places import places_of
from secbot.reports import link_suggest, links, similar, updates
from secbot.reports.incidents import IncidentInput, file_incident

FLOW = "report_pending"


def by_meaning(ctx: Context) -> link_suggest.ByMeaning | None:
    """Candidate register entries ranked by meaning, when retrieval is available."""
    asker = ctx.asker
    if asker is None:
        return None

    def codes(text: str, candidates: Mapping[str, str]) -> Sequence[str]:
        return asker.closest(text, candidates, k=5)

    return codes


def with_suggestions(ctx: Context, submission: Submission, filed: Reply) -> Reply:
    """The filing reply with the link suggestions under it: one message, so a phone shows the
    report and its `Link to …` buttons together."""
    found = suggestions(ctx, submission)
    if not found:
        return filed
    extra = found[0]
    return dataclasses.replace(
        filed, text=f"{filed.text}\n\n{extra.text}", buttons=(*filed.buttons, *extra.buttons)
    )


def suggestions(ctx: Context, submission: Submission) -> list[Reply]:
    incident = submission.incident
    assert incident is not None
    # Ranked by meaning on the text the index embeds for this report (knowledge.units), so the
    # one vector serves both: the index finds it among the embedder's recent texts.
    unit = submission_unit(submission, frozenset())
    found = link_suggest.suggest_threats(
        ctx.session,
        ctx.scope,
        f"{incident.title} {incident.description}",
        incident.category,
        by_meaning(ctx),
        meaning_text=unit.text if unit is not None else None,
    )
    reply = report_extras.suggestion_reply(submission.public_id, found)
    return [reply] if reply else []


def check(ctx: Context, data: IncidentInput) -> list[similar.Similar]:
    place = data.place or PlaceFound("")
    return similar.similar_reports(
        ctx.session,
        ctx.scope,
        similar.Filing(data.description, data.occurred_at, place.name, place.lat, place.lon),
    )


def may_change(ctx: Context, submission: Submission) -> bool:
    return submission.owner_state == ctx.principal.owner_party and allowed(
        ctx.principal, Action.CHANGE_REPORT
    )


def hold(ctx: Context, data: IncidentInput, key: str | None, found: list[similar.Similar]) -> Reply:
    """Keep the report unfiled and ask: the same event, or a new one?"""
    assert ctx.principal.member_id is not None
    kept = _dump(data, key, [s.submission.public_id for s in found])
    draft = ctx.session.get(Draft, ctx.principal.member_id)
    if draft is None:
        ctx.session.add(
            Draft(member_id=ctx.principal.member_id, flow=FLOW, step="similar", data=kept)
        )
    else:
        draft.flow, draft.step, draft.data = FLOW, "similar", kept
    changeable = {s.submission.public_id for s in found if may_change(ctx, s.submission)}
    return report_extras.similar_reply(found, changeable)


def _dump(data: IncidentInput, key: str | None, similar_ids: list[str]) -> dict[str, Any]:
    place = data.place or PlaceFound("")
    return {
        "category": data.category,
        "severity": data.severity.value,
        "title": data.title,
        "description": data.description,
        "location": data.location,
        "occurred_at": data.occurred_at.isoformat(),
        "tlp": data.tlp.value,
        "place": place.name,
        "lat": place.lat,
        "lon": place.lon,
        "key": key,
        "similar": similar_ids,
    }


def _load(ctx: Context, kept: dict[str, Any]) -> IncidentInput:
    places = {p.name: p for p in places_of(ctx.session, ctx.principal.owner_party)}
    return IncidentInput(
        category=kept["category"],
        severity=Severity(kept["severity"]),
        title=kept["title"],
        description=kept["description"],
        location=kept["location"],
        occurred_at=datetime.fromisoformat(kept["occurred_at"]),
        tlp=TLP(kept["tlp"]),
        place=PlaceFound(kept["location"], places.get(kept["place"]), kept["lat"], kept["lon"]),
    )


def still_visible(ctx: Context, public_ids: Sequence[str]) -> list[str]:
    """The held report's similar ids the filer may still see: a share revoked while it was held
    must not leave the id named in the reply."""
    if not public_ids:
        return []
    ids = ctx.session.scalars(
        select(Submission.id).where(Submission.public_id.in_(list(public_ids)))
    )
    seen = {s.public_id for s in links.visible_incidents(ctx.session, ctx.scope, list(ids))}
    return [pid for pid in public_ids if pid in seen]


def filed_text(submission: Submission, mention: Sequence[str] = ()) -> str:
    pid = submission.public_id
    text = (
        f"Saved {pid} · TLP:{submission.tlp}. Only your state sees it until you share it: "
        f"share {pid} TARGET"
    )
    if mention:
        text += f"\nIt may be the same event as {', '.join(mention)}."
    return text


def filing(ctx: Context, args: str) -> list[Reply]:
    """The buttons under a held report: `filing add ID`, `filing file`, `filing drop`."""
    ctx.require_direct("file a report")
    member_id = ctx.principal.member_id
    draft = ctx.session.get(Draft, member_id) if member_id is not None else None
    if draft is None or draft.flow != FLOW:
        raise InvalidInput("No report is waiting to be filed. Send `report` to file one.")
    kept = dict(draft.data)
    head, _, rest = args.strip().partition(" ")
    head = head.lower()
    if head == "drop":
        ctx.session.delete(draft)
        return [Reply("Nothing was filed.")]
    if head == "file":
        submission = file_incident(ctx.session, ctx.principal, _load(ctx, kept), kept.get("key"))
        ctx.session.delete(draft)
        mention = still_visible(
            ctx, [pid for pid in kept.get("similar", []) if pid != submission.public_id]
        )
        return [with_suggestions(ctx, submission, Reply(filed_text(submission, mention)))]
    if head == "add" and rest.strip():
        data = _load(ctx, kept)
        when = show_time(data.occurred_at, ctx.zone)
        body = (
            data.description + (f" (at {data.location}" if data.location else " (") + f", {when})"
        )
        submission, _, _ = updates.add_update(
            ctx.session, ctx.principal, rest.strip(), body, ctx.now, kept.get("key")
        )
        ctx.session.delete(draft)
        return [
            Reply(
                f"Added to {submission.public_id} as a dated update · TLP:{submission.tlp}; no new "
                f"report was filed. Its timeline: incident {submission.public_id}"
            )
        ]
    raise InvalidInput("Tap one of the buttons: Add to it, File anyway or Cancel.")


def already_filed(ctx: Context, key: str | None) -> Submission | None:
    """A redelivered filing (same idempotency key) is the report it filed, checked before the
    similar check, which would otherwise find that very report."""
    if not key:
        return None
    full = f"{ctx.principal.owner_party}:{ctx.principal.member_id}:{key}"[:120]
    found = ctx.session.scalar(select(Incident).where(Incident.client_key == full))
    return found.submission if found is not None else None


def file_or_hold(
    ctx: Context, data: IncidentInput, key: str | None, filed: Callable[[Submission], Reply]
) -> Reply:
    """File now when nothing similar is visible here (the `filed` reply, with the link
    suggestions under it); else hold the report and ask."""
    again = already_filed(ctx, key)
    if again is not None:
        return filed(again)
    found = check(ctx, data)
    if found:
        return hold(ctx, data, key, found)
    submission = file_incident(ctx.session, ctx.principal, data, key)
    return with_suggestions(ctx, submission, filed(submission))
