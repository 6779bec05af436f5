"""One export, three shapes: the file a chat reply attaches and `secbot export` writes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.db.models import ThreatEntry
from secbot.domain.errors import InvalidInput
from secbot.interchange.export import StateExport
from secbot.interchange.formats import to_csv_zip, to_json
from secbot.interchange.stix_out import to_stix_json


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    STIX = "stix"

    @classmethod
    def read(cls, text: str) -> Format:
        try:
            return cls(text.strip().lower() or "json")
        except ValueError:
            raise InvalidInput(
                f"I can export as json, csv or stix, not {text.strip()[:20]!r}. Example: export csv"
            ) from None


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mime: str
    data: bytes


def regional_titles(session: Session, codes: set[str]) -> dict[str, str]:
    """Titles of the regional register entries among `codes` (regional knowledge, everyone's)."""
    if not codes:
        return {}
    rows = session.execute(
        select(ThreatEntry.code, ThreatEntry.title).where(
            ThreatEntry.code.in_(sorted(codes)), ThreatEntry.submission_id.is_(None)
        )
    )
    return {code: title for code, title in rows}


def render(session: Session, export: StateExport, fmt: Format) -> ExportFile:
    stem = f"secbot-export-{export.state}-{export.exported_at:%Y%m%d-%H%M%S}"
    if fmt is Format.CSV:
        return ExportFile(f"{stem}.zip", "application/zip", to_csv_zip(export))
    if fmt is Format.STIX:
        codes = {ln["threat_code"] for r in export.reports for ln in r["links"]}
        data = to_stix_json(export, regional_titles(session, codes))
        return ExportFile(f"{stem}.stix.json", "application/stix+json", data)
    return ExportFile(f"{stem}.json", "application/json", to_json(export))
