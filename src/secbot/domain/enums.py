"""Closed vocabularies shared by every layer; values are what the database and the chat store."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DELEGATE = "delegate"
    FOCAL_POINT = "focal_point"
    STATE_ADMIN = "state_admin"
    SECRETARIAT = "secretariat"
    SECRETARIAT_ADMIN = "secretariat_admin"
    PARTNER = "partner"
    PARTNER_ADMIN = "partner_admin"

    @property
    def is_secretariat(self) -> bool:
        return self in (Role.SECRETARIAT, Role.SECRETARIAT_ADMIN)

    @property
    def is_partner(self) -> bool:
        """Members of a non-state organisation (decision 0023)."""
        return self in (Role.PARTNER, Role.PARTNER_ADMIN)


class TLP(StrEnum):
    """Traffic Light Protocol 2.0 labels, least to most restrictive."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def group_safe(self) -> bool:
        """AMBER, AMBER+STRICT and RED material is never shown in a group chat."""
        return self in (TLP.CLEAR, TLP.GREEN)

    @property
    def shareable(self) -> bool:
        """RED never leaves the owner state."""
        return self is not TLP.RED

    @classmethod
    def parse(cls, text: str) -> TLP | None:
        key = text.strip().upper().replace("TLP:", "").replace(" ", "").replace("_", "+")
        aliases = {"WHITE": "CLEAR", "AMBERSTRICT": "AMBER+STRICT", "STRICT": "AMBER+STRICT"}
        key = aliases.get(key, key)
        for member in cls:
            if member.value == key:
                return member
        return None


class Severity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"


class PartnerKind(StrEnum):
    """The non-state actors of model paragraph 15 b."""

    REGIONAL = "regional"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    INTERNATIONAL = "international"


class GranteeKind(StrEnum):
    STATE = "state"
    ALL = "all"
    SECRETARIAT = "secretariat"


class ChatKind(StrEnum):
    DIRECT = "direct"
    GROUP = "group"


class AudienceKind(StrEnum):
    STATES = "states"
    ALL = "all"
    SECRETARIAT = "secretariat"


class FunctionalArea(StrEnum):
    """State functional areas (model paragraph 15 a.) plus the non-state actors of 15 b."""

    POLITICAL = "political"
    DIPLOMATIC = "diplomatic"
    ECONOMIC = "economic"
    LEGAL = "legal"
    SOCIAL = "social"
    DEFENCE = "defence"
    SECURITY = "security"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    REGIONAL_ORGANISATION = "regional_organisation"


class SecurityDimension(StrEnum):
    """The multidimensional scope of small-state security (model paragraph 1, plus new threats)."""

    MILITARY_POLITICAL = "military_political"
    SOVEREIGNTY = "sovereignty"
    EXTERNAL_ATTACK = "external_attack"
    EXTERNAL_INTERFERENCE = "external_interference"
    ENVIRONMENT = "environment"
    ECONOMY_TRADE = "economy_trade"
    DEMOCRATIC_INSTITUTIONS = "democratic_institutions"
    TRANSNATIONAL_CRIME = "transnational_crime"
    CYBER = "cyber"
    PUBLIC_HEALTH = "public_health"


class IncidentStatus(StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"


class ThreatStatus(StrEnum):
    ACTIVE = "active"
    MONITORING = "monitoring"
    MITIGATED = "mitigated"
    RETIRED = "retired"


class Likelihood(StrEnum):
    RARE = "rare"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    LIKELY = "likely"
    ALMOST_CERTAIN = "almost_certain"


class Impact(StrEnum):
    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"
    SEVERE = "severe"
    CATASTROPHIC = "catastrophic"


class ObjectiveStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    SUSPENDED = "suspended"


class DeliveryStatus(StrEnum):
    """One alert delivery's life: pending -> sending (claimed, leased) -> sent or failed;
    a retry or a lapsed lease puts it back to pending."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
