"""Agreed strategic objectives (regional knowledge, loaded from knowledge/objectives.yaml)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from secbot.db.models import Objective
from secbot.registers.matching import matches


def objective_matches(o: Objective, topic: str) -> bool:
    return matches(topic, [o.code, o.title, o.description, o.status, *o.topics, *o.linked_threats])


def objectives(session: Session, topic: str = "") -> list[Objective]:
    rows = session.scalars(select(Objective).order_by(Objective.code))
    return [o for o in rows if objective_matches(o, topic)]
