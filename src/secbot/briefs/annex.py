"""The machine-readable forms: the CSV annex (one row per counted report) and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from secbot.briefs.model import Brief, category_label

COLUMNS = ("id", "occurred_at", "state", "category", "severity", "tlp", "place", "title")


def render_csv(brief: Brief) -> bytes:
    """Every report counted, so a reader can check any figure; the TLP line comes first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"TLP:{brief.tlp.value}", brief.span, brief.caveat])
    writer.writerow(COLUMNS)
    for it in brief.incidents:
        writer.writerow(
            [
                it.public_id,
                it.occurred_at.isoformat(),
                it.state,
                category_label(it.category),
                it.severity,
                it.tlp.value,
                _cell(it.place),
                _cell(it.title),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    """No spreadsheet formula injection from a report's free text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def as_dict(brief: Brief) -> dict[str, Any]:
    f = brief.figures
    return {
        "period": brief.period.value,
        "start": brief.start.isoformat(),
        "end": brief.end.isoformat(),
        "tlp": brief.tlp.value,
        "reader": brief.reader,
        "states": list(brief.states) if brief.states else None,
        "next_issue": brief.next_issue.isoformat() if brief.next_issue else None,
        "bottom_line": brief.bottom_line,
        "total": brief.total,
        "previous": f.previous,
        "trailing_mean": f.trailing_mean,
        "states_reporting": list(f.states_reporting),
        "alerts_sent": f.alerts_sent,
        "ack_rate": f.ack_rate,
        "by_category": brief.by_category,
        "by_state": brief.by_state,
        "incidents": [it.public_id for it in brief.incidents],
        "changes": [
            {
                "category": r.category,
                "state": r.state,
                "current": r.current,
                "previous": r.previous,
                "mean": r.mean,
                "change_pct": None if r.change_pct is None else round(r.change_pct, 1),
                "trend": r.trend,
            }
            for r in brief.changes
        ],
        "first_seen": {
            "categories": list(brief.first_seen_categories),
            "places": list(brief.first_seen_places),
        },
        "threats": [
            {
                "code": t.code,
                "tlp": t.tlp or None,
                "current": t.current,
                "previous": t.previous,
                "rising": t.rising,
            }
            for t in brief.threats
        ],
        "threat_basis": brief.threat_source,
        "notable": [it.public_id for it in brief.notable],
        "objectives": [
            {"code": o.code, "linked_threats": list(o.linked_threats)} for o in brief.objectives
        ],
        "caveat": brief.caveat,
    }


def render_json(brief: Brief) -> bytes:
    return json.dumps(as_dict(brief), ensure_ascii=False, indent=2).encode("utf-8")
