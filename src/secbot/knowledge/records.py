"""The shapes of the regional knowledge files (states, threats, objectives, contacts), as
pydantic records whose every rejection is worded for the secretariat that edits them by hand.
The formats are documented in knowledge/README.md; files.py loads and cross-checks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from secbot.domain import taxonomy
from secbot.domain.enums import (
    FunctionalArea,
    Impact,
    Likelihood,
    ObjectiveStatus,
    SecurityDimension,
    ThreatStatus,
)
from secbot.domain.zones import is_zone_name

STATE_AREAS: Final = (
    FunctionalArea.POLITICAL,
    FunctionalArea.DIPLOMATIC,
    FunctionalArea.ECONOMIC,
    FunctionalArea.LEGAL,
    FunctionalArea.SOCIAL,
    FunctionalArea.DEFENCE,
    FunctionalArea.SECURITY,
)
"""The seven state functional areas of model paragraph 15 a.; a threat's lead is one of these."""


# --- field types: each rejects bad input with a message written for a secretariat -------------


def _one_of(allowed: Iterable[StrEnum]) -> BeforeValidator:
    """Accept only these enum values, naming all of them in the error (pydantic's is terse)."""
    values = tuple(member.value for member in allowed)

    def check(value: object) -> object:
        if value not in values:
            raise PydanticCustomError(
                "not_one_of",
                "{value} is not one of: {allowed}",
                {"value": repr(value), "allowed": ", ".join(values)},
            )
        return value

    return BeforeValidator(check)


def _check(test: Callable[[str], bool], expected: str) -> AfterValidator:
    """Reject a string that fails `test`, saying what was expected instead."""

    def check(value: str) -> str:
        if not test(value):
            raise PydanticCustomError(
                "bad_value",
                "{value} is not {expected}",
                {"value": repr(value), "expected": expected},
            )
        return value

    return AfterValidator(check)


def _pattern(regex: str, expected: str) -> AfterValidator:
    compiled = re.compile(regex)
    return _check(lambda value: compiled.fullmatch(value) is not None, expected)


def _iso_date(value: object) -> object:
    """Dates must be written YYYY-MM-DD; pydantic alone would also take timestamps."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "bad_date", "{value} is not a date written YYYY-MM-DD", {"value": repr(value)}
    )


Text = Annotated[str, Field(min_length=1)]
Topic = Annotated[str, _check(lambda s: s == s.strip().lower() != "", "a lowercase keyword")]
StateCode = Annotated[str, _pattern(r"[A-Z]{3}", "an ISO 3166-1 alpha-3 code such as BRB")]
TimeZoneName = Annotated[str, _check(is_zone_name, "an IANA time zone such as America/Barbados")]
ThreatCode = Annotated[str, _pattern(r"RT-\d{2,}", "a threat code such as RT-07")]
ObjectiveCode = Annotated[str, _pattern(r"OBJ-\d{2,}", "an objective code such as OBJ-03")]
Category = Annotated[
    str,
    _check(
        taxonomy.BY_KEY.__contains__,
        "a taxonomy category (" + ", ".join(taxonomy.BY_KEY) + ")",
    ),
]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StateRecord(_Record):
    """A member state taking part in the model."""

    code: StateCode
    name: Text
    timezone: TimeZoneName | None = None


class ThreatRecord(_Record):
    """One entry of the regional threat register, visible to every member."""

    code: ThreatCode
    title: Text
    dimension: Annotated[SecurityDimension, _one_of(SecurityDimension)]
    category: Category
    description: Text
    likelihood: Annotated[Likelihood, _one_of(Likelihood)]
    impact: Annotated[Impact, _one_of(Impact)]
    lead_area: Annotated[FunctionalArea, _one_of(STATE_AREAS)]
    status: Annotated[ThreatStatus, _one_of(ThreatStatus)]
    topics: tuple[Topic, ...]


class Indicator(_Record):
    """What makes an objective measurable: a target to reach by a date."""

    indicator: Text
    target: Text
    due: Annotated[date, BeforeValidator(_iso_date)]


class ObjectiveRecord(_Record):
    """An agreed strategic objective, tied to the threats it counters."""

    code: ObjectiveCode
    title: Text
    description: Text
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    lead_actors: tuple[Text, ...] = Field(min_length=1)
    linked_threats: tuple[ThreatCode, ...]
    status: Annotated[ObjectiveStatus, _one_of(ObjectiveStatus)]
    topics: tuple[Topic, ...]


class ContactRecord(_Record):
    """A co-ordination contact by office and role; there is deliberately no field for a person."""

    state: StateCode | None
    organisation: Text
    office: Text
    role: Text
    area: Annotated[FunctionalArea, _one_of(FunctionalArea)]
    channel: Text
    topics: tuple[Topic, ...]


class StatesFile(_Record):
    states: tuple[StateRecord, ...]


class ThreatsFile(_Record):
    threats: tuple[ThreatRecord, ...]


class ObjectivesFile(_Record):
    objectives: tuple[ObjectiveRecord, ...]


class ContactsFile(_Record):
    contacts: tuple[ContactRecord, ...]
