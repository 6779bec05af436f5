"""An export as bytes: JSON with every field, or CSV with one file per kind inside a zip (so a
spreadsheet opens each kind as a table)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from secbot.interchange.export import StateExport, iso

REPORT_COLUMNS = (
    "id", "tlp", "category", "severity", "status", "title", "description", "location", "place",
    "region", "latitude", "longitude", "occurred_at", "created_at", "updated_at", "created_by",
    "reporter",
)  # fmt: skip
THREAT_COLUMNS = (
    "id", "tlp", "title", "dimension", "category", "description", "likelihood", "impact",
    "lead_area", "status", "topics", "created_at", "updated_at", "created_by",
)  # fmt: skip

LOG_COLUMNS = (
    "report", "entry", "kind", "party", "author", "assignee", "body", "at", "done_at", "done_by",
)  # fmt: skip


def to_json(export: StateExport) -> bytes:
    return json.dumps(export.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")


def _table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Formula-looking text is quoted, so a spreadsheet never runs what a member typed."""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def to_csv_zip(export: StateExport) -> bytes:
    subs = export.reports + export.threats
    tables = {
        "reports.csv": _table(REPORT_COLUMNS, export.reports),
        "updates.csv": _table(
            ("report", "at", "author", "body"),
            [{"report": r["id"], **u} for r in export.reports for u in r["updates"]],
        ),
        "log.csv": _table(
            LOG_COLUMNS,
            [{"report": r["id"], **e} for r in export.reports for e in r.get("log", [])],
        ),
        "links.csv": _table(
            ("report", "threat_code", "linked_at", "linked_by"),
            [{"report": r["id"], **ln} for r in export.reports for ln in r["links"]],
        ),
        "shares.csv": _table(
            ("submission", "grantee", "granted_at", "granted_by", "revoked_at", "revoked_by"),
            [{"submission": s["id"], **sh} for s in subs for sh in s["shares"]],
        ),
        "threats.csv": _table(THREAT_COLUMNS, export.threats),
        "reads.csv": _table(("at", "report", "reader_party", "place"), export.reads),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in tables.items():
            archive.writestr(f"{export.state}-export/{name}", text.encode("utf-8"))
        archive.writestr(
            f"{export.state}-export/README.txt",
            f"secbot export of {export.state} ({export.state_name}) at "
            f"{iso(export.exported_at)}. Each row keeps its TLP label: share accordingly.\n",
        )
    return out.getvalue()
