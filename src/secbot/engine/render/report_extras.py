"""How links, timelines, similar-report notices and register activity read in chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from secbot.db.models import ReportUpdate, ThreatEntry
from secbot.domain.text import one_line
from secbot.domain.when import show_time
from secbot.engine.messages import Button, Reply, fits, rows
from secbot.engine.render.registers import entry_label
from secbot.reports.link_suggest import Suggestion
from secbot.reports.links import Activity
from secbot.reports.similar import Similar

LABEL_CHARS = 34


def links_lines(entries: Sequence[ThreatEntry]) -> list[str]:
    if not entries:
        return []
    return [
        "",
        "Linked threats: " + "; ".join(f"{e.code} {e.title}{entry_label(e)}" for e in entries),
    ]


def timeline_lines(updates: Sequence[ReportUpdate], zone: tzinfo) -> list[str]:
    if not updates:
        return []
    lines = [
        "",
        f"Timeline ({len(updates)} update{'s' if len(updates) != 1 else ''}, oldest first):",
    ]
    lines += [f"• {show_time(u.at, zone)} · {u.author_state}: {u.body}" for u in updates]
    return lines


def activity_lines(code: str, months: Sequence[Activity]) -> list[str]:
    if not months:
        return ["", f"Linked reports you can see: none. Link one with: link ID {code}"]
    total = sum(len(m.public_ids) for m in months)
    lines = ["", f"Linked reports you can see ({total}), by month:"]
    lines += [
        f"• {m.month}: {len(m.public_ids)} · "
        + ", ".join(f"{pid} TLP:{tlp}" for pid, tlp in zip(m.public_ids, m.tlps, strict=True))
        for m in months
    ]
    return lines


def suggestion_reply(public_id: str, found: Sequence[Suggestion]) -> Reply | None:
    """Up to three `Link to …` buttons and Skip; None when nothing is suggested."""
    if not found:
        return None
    lines = [f"Is {public_id} about one of these register entries?"]
    lines += [f"• {s.entry.code} {s.entry.title}{entry_label(s.entry)}" for s in found]
    lines.append(f"Or later: link {public_id} CODE")
    buttons = [
        Button(
            one_line(f"Link to {s.entry.code} {s.entry.title}", LABEL_CHARS),
            f"/link {public_id} {s.entry.code}",
        )
        for s in found
        if fits(f"/link {public_id} {s.entry.code}")
    ]
    buttons.append(Button("Skip", f"/link {public_id} skip"))
    return Reply("\n".join(lines), rows(buttons, 1))


def _when(hours: float) -> str:
    if abs(hours) < 1:
        return "about the same time"
    amount = f"{abs(hours):.0f} h" if abs(hours) < 48 else f"{abs(hours) / 24:.0f} days"
    return f"{amount} {'earlier' if hours < 0 else 'later'}"


def similar_line(s: Similar) -> str:
    incident = s.submission.incident
    assert incident is not None
    where = incident.place or incident.location or "place not given"
    why = (
        ""
        if s.reason in ("same place", "similar text")
        else f", {s.reason.removeprefix('close by, ')}"
    )
    if s.reason == "similar text":
        why = ", similar words"
    return (
        f"{s.submission.public_id} looks like the same event ({_when(s.hours)}, {where}{why}): "
        f"{one_line(incident.title, 80)} · TLP:{s.submission.tlp}"
    )


def similar_reply(found: Sequence[Similar], changeable: set[str]) -> Reply:
    """[Add to it] for reports the filer may change; otherwise only [File anyway], naming the
    report to mention."""
    lines = [similar_line(s) for s in found]
    add = [s.submission.public_id for s in found if s.submission.public_id in changeable]
    others = [s.submission.public_id for s in found if s.submission.public_id not in changeable]
    if add:
        lines.append("Add yours to it as a dated update, or file a new report?")
    if others:
        lines.append(
            f"You can't add to {', '.join(others)} (another state's); file yours and mention "
            f"{others[0]} in it if it helps."
        )
    buttons = [
        Button("Add to it" if len(add) == 1 else f"Add to {pid}", f"/filing add {pid}")
        for pid in add
    ]
    buttons += [Button("File anyway", "/filing file"), Button("✖ Cancel", "/filing drop")]
    return Reply("\n".join(lines), rows(buttons))
