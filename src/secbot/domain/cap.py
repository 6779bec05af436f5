"""The CAP 1.2 vocabularies an alert is written in (OASIS Common Alerting Protocol 1.2, 3.2.1-2).

Values are stored and exported exactly as CAP spells them, so an export needs no mapping table.
"""

from __future__ import annotations

from enum import StrEnum


class CapEnum(StrEnum):
    @classmethod
    def parse(cls, text: str) -> CapEnum | None:
        key = text.strip().lower()
        for member in cls:
            if member.value.lower() == key or member.name.lower() == key:
                return member
        return None


class CapSeverity(CapEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class CapUrgency(CapEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class CapCertainty(CapEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


class CapCategory(CapEnum):
    GEO = "Geo"
    MET = "Met"
    SAFETY = "Safety"
    SECURITY = "Security"
    RESCUE = "Rescue"
    FIRE = "Fire"
    HEALTH = "Health"
    ENV = "Env"
    TRANSPORT = "Transport"
    INFRA = "Infra"
    CBRNE = "CBRNE"
    OTHER = "Other"


CATEGORY_LABELS: dict[CapCategory, str] = {
    CapCategory.GEO: "Geophysical",
    CapCategory.MET: "Weather",
    CapCategory.SAFETY: "Public safety",
    CapCategory.SECURITY: "Security",
    CapCategory.RESCUE: "Rescue",
    CapCategory.FIRE: "Fire",
    CapCategory.HEALTH: "Health",
    CapCategory.ENV: "Environment",
    CapCategory.TRANSPORT: "Transport",
    CapCategory.INFRA: "Infrastructure",
    CapCategory.CBRNE: "CBRNE",
    CapCategory.OTHER: "Other",
}
