"""Retention: per-TLP periods from the settings, which a state may shorten for itself, applied
by a daily job through the same erasure path as `erase ID` (so it is audited the same way)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.access import audit
from secbot.config import Settings
from secbot.db.erasures import RetentionOverride
from secbot.db.models import State, Submission
from secbot.domain.enums import TLP
from secbot.domain.errors import InvalidInput
from secbot.rights.erasure import Actor, Erased, erase

ACTOR = Actor("retention", None)


@dataclass(frozen=True)
class Periods:
    """Days kept per TLP label for the whole deployment; None keeps for ever."""

    days: Mapping[TLP, int | None]

    @classmethod
    def from_settings(cls, settings: Settings) -> Periods:
        return cls(
            {
                TLP.CLEAR: settings.retention_days_clear,
                TLP.GREEN: settings.retention_days_green,
                TLP.AMBER: settings.retention_days_amber,
                TLP.AMBER_STRICT: settings.retention_days_amber_strict,
                TLP.RED: settings.retention_days_red,
            }
        )

    def for_state(self, overrides: Mapping[TLP, int]) -> dict[TLP, int | None]:
        """The shorter of the deployment's period and the state's own."""
        found: dict[TLP, int | None] = {}
        for tlp in TLP:
            base, own = self.days.get(tlp), overrides.get(tlp)
            found[tlp] = own if base is None else (base if own is None else min(base, own))
        return found


def _state(session: Session, code: str) -> State:
    state = session.get(State, code.strip().upper())
    if state is None:
        raise InvalidInput(f"No state {code.strip().upper()[:8]!r} is registered.")
    return state


def _tlp(text: str) -> TLP:
    label = TLP.parse(text)
    if label is None:
        raise InvalidInput(
            f"{text[:20]!r} is not a TLP label; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED."
        )
    return label


def overrides(session: Session, code: str) -> dict[TLP, int]:
    rows = session.scalars(select(RetentionOverride).where(RetentionOverride.state_code == code))
    return {TLP(r.tlp): r.days for r in rows}


def set_override(
    session: Session, periods: Periods, code: str, tlp_text: str, days: int, by: str
) -> None:
    """A state shortens its own period; it can never keep longer than the deployment allows."""
    state, tlp = _state(session, code), _tlp(tlp_text)
    base = periods.days.get(tlp)
    if days < 1 or (base is not None and days > base):
        limit = f"1 to {base}" if base is not None else "at least 1"
        raise InvalidInput(f"--days for TLP:{tlp} must be {limit}; you gave {days}.")
    row = session.scalar(
        select(RetentionOverride).where(
            RetentionOverride.state_code == state.code, RetentionOverride.tlp == tlp.value
        )
    )
    if row is None:
        session.add(RetentionOverride(state_code=state.code, tlp=tlp.value, days=days, set_by=by))
    else:
        row.days, row.set_by = days, by
    audit.record(
        session, None, "retention_set", actor=by, state=state.code, tlp=tlp.value, days=days
    )


def describe(session: Session, periods: Periods, code: str) -> list[str]:
    state = _state(session, code)
    effective = periods.for_state(overrides(session, state.code))
    return [
        f"TLP:{tlp}: " + (f"{days} days" if days is not None else "kept until erased")
        for tlp, days in effective.items()
    ]


def erase_expired(session: Session, periods: Periods, now: datetime) -> list[Erased]:
    """Erase every submission older than its state's period for its label, in one go."""
    due: list[Submission] = []
    for state in session.scalars(select(State).order_by(State.code)):
        for tlp, days in periods.for_state(overrides(session, state.code)).items():
            if days is None:
                continue
            due += session.scalars(
                select(Submission).where(
                    Submission.owner_state == state.code,
                    Submission.tlp == tlp.value,
                    Submission.created_at < now - timedelta(days=days),
                )
            )
    return erase(session, due, ACTOR, "retention")
