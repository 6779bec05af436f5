"""What a brief holds once computed: plain values, so every renderer shows the same numbers and
none of them can reach back into the database for more than the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from secbot.briefs.period import Period
from secbot.domain.enums import TLP
from secbot.domain.taxonomy import BY_KEY


def category_label(key: str) -> str:
    known = BY_KEY.get(key)
    return known.label if known else key


@dataclass(frozen=True)
class Item:
    """One counted report, as much of it as a brief shows."""

    public_id: str
    state: str
    category: str
    severity: str
    tlp: TLP
    occurred_at: datetime
    place: str
    title: str
    open_tasks: int = 0
    """Open tasks of its co-ordination log: read only for a report the rule let through."""


@dataclass(frozen=True)
class Figures:
    current: int
    previous: int
    trailing_mean: float
    """Mean reports per period-length over the 52 weeks before this period."""
    states_reporting: tuple[str, ...]
    alerts_sent: int | None = None
    """Secretariat only (None for everyone else)."""
    ack_rate: float | None = None
    """Share of those alerts acknowledged by at least one member (secretariat only)."""


@dataclass(frozen=True)
class ChangeRow:
    category: str
    state: str
    current: int
    previous: int
    mean: float
    change_pct: float | None
    """Against the trailing mean; None when the mean is zero."""
    trend: str


@dataclass(frozen=True)
class ThreatActivity:
    code: str
    title: str
    current: int
    previous: int
    rising: bool
    tlp: str = ""
    """A state's own entry is a submission: its label ("AMBER"); empty for regional entries."""


@dataclass(frozen=True)
class ObjectiveLine:
    code: str
    title: str
    indicators: tuple[str, ...]
    linked_threats: tuple[str, ...]


@dataclass(frozen=True)
class Bucket:
    """One chart bar: its first day and the counts per category inside it."""

    start: datetime
    counts: dict[str, int]


@dataclass(frozen=True)
class Brief:
    period: Period
    start: datetime
    end: datetime
    reader: str
    tlp: TLP
    zone: tzinfo
    states: tuple[str, ...] | None
    next_issue: datetime | None
    bottom_line: str
    figures: Figures
    by_category: dict[str, int]
    by_state: dict[str, int]
    incidents: tuple[Item, ...]
    """Every report counted in this period, newest first."""
    buckets: tuple[Bucket, ...]
    changes: tuple[ChangeRow, ...]
    first_seen_categories: tuple[str, ...]
    first_seen_places: tuple[str, ...]
    threats: tuple[ThreatActivity, ...]
    threat_source: str
    """How reports were tied to register entries: `links` or `category`."""
    notable: tuple[Item, ...]
    objectives: tuple[ObjectiveLine, ...]
    label: str = ""
    """The period's name when it is a calendar one ("November 2026"); else the days counted."""
    counted: tuple[int, ...] = ()
    """Internal ids of every report read (this period, the previous one, the trailing year):
    a stored brief re-checks them when it is sent, so a share revoked since is not shown."""

    @property
    def span(self) -> str:
        """What the brief covers, in words: "last 7 days" or a calendar month's name."""
        return self.label or f"last {self.period.days} days"

    @property
    def total(self) -> int:
        return len(self.incidents)

    @property
    def caveat(self) -> str:
        return (
            f"{self.total} reports you may see here; other states' unshared reports are not "
            "counted."
        )

    def heat(self) -> dict[tuple[str, str], int]:
        """(category, state) -> reports this period."""
        cells: dict[tuple[str, str], int] = {}
        for item in self.incidents:
            key = (item.category, item.state)
            cells[key] = cells.get(key, 0) + 1
        return cells
