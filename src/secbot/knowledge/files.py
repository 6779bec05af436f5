"""Load and validate the regional knowledge files: states, threats, objectives and contacts.

A secretariat edits these YAML files by hand, so every fault is reported as one
`KnowledgeFileError` naming the file and the line of the offending value, the way a compiler
would, instead of a traceback or a raw pydantic dump. The formats are documented in
knowledge/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, TypeVar, get_args

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

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

Loc = Sequence[int | str]
M = TypeVar("M", bound=BaseModel)


class KnowledgeFileError(Exception):
    """A knowledge file is missing or wrong; `line` (1-based) points at what to fix."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


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


class _StatesFile(_Record):
    states: tuple[StateRecord, ...]


class _ThreatsFile(_Record):
    threats: tuple[ThreatRecord, ...]


class _ObjectivesFile(_Record):
    objectives: tuple[ObjectiveRecord, ...]


class _ContactsFile(_Record):
    contacts: tuple[ContactRecord, ...]


@dataclass(frozen=True)
class KnowledgeBundle:
    """Everything in a knowledge directory, validated and cross-checked."""

    states: tuple[StateRecord, ...]
    threats: tuple[ThreatRecord, ...]
    objectives: tuple[ObjectiveRecord, ...]
    contacts: tuple[ContactRecord, ...]


# --- loading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    path: Path
    root: yaml.Node

    def fail(self, loc: Loc, message: str, *, at_key: bool = False) -> KnowledgeFileError:
        return KnowledgeFileError(
            self.path, _node_at(self.root, loc, at_key).start_mark.line + 1, message
        )


def load_knowledge(directory: Path) -> KnowledgeBundle:
    """Read the four files in `directory`; raise KnowledgeFileError at the first fault found."""
    states_file, states = _load(directory / "states.yaml", "states", _StatesFile)
    threats_file, threats = _load(directory / "threats.yaml", "threats", _ThreatsFile)
    objectives_file, objectives = _load(
        directory / "objectives.yaml", "objectives", _ObjectivesFile
    )
    contacts_file, contacts = _load(directory / "contacts.yaml", "contacts", _ContactsFile)
    _unique_codes(states_file, "states", [s.code for s in states.states])
    _unique_codes(threats_file, "threats", [t.code for t in threats.threats])
    _unique_codes(objectives_file, "objectives", [o.code for o in objectives.objectives])
    threat_codes = {t.code for t in threats.threats}
    for i, objective in enumerate(objectives.objectives):
        for j, code in enumerate(objective.linked_threats):
            if code not in threat_codes:
                loc = ("objectives", i, "linked_threats", j)
                raise objectives_file.fail(
                    loc, f"linked_threats: {code!r} is not a code in threats.yaml"
                )
    state_codes = {s.code for s in states.states}
    for i, contact in enumerate(contacts.contacts):
        if contact.state is not None and contact.state not in state_codes:
            msg = (
                f"state: {contact.state!r} is not a code in states.yaml (null for regional bodies)"
            )
            raise contacts_file.fail(("contacts", i, "state"), msg)
    return KnowledgeBundle(states.states, threats.threats, objectives.objectives, contacts.contacts)


def _load(path: Path, key: str, model: type[M]) -> tuple[_Parsed, M]:
    root, data = _read_yaml(path, key)
    parsed = _Parsed(path, root)
    if not isinstance(data, dict):
        raise parsed.fail((), f"expected a mapping with a top-level '{key}:' list")
    try:
        return parsed, model.model_validate(data)
    except ValidationError as exc:
        errors = _root_causes(exc.errors())
        errors.sort(key=lambda e: _node_at(root, e["loc"], False).start_mark.line)
        loc, message, at_key = _describe(errors[0], model)
        raise parsed.fail(loc, message, at_key=at_key) from None


def _root_causes(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop knock-on errors: a bad indicator also makes `indicators` look too short."""
    locs = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e in errors
        if not any(
            len(other) > len(e["loc"]) and other[: len(e["loc"])] == e["loc"] for other in locs
        )
    ]


def _read_yaml(path: Path, key: str) -> tuple[yaml.Node, object]:
    """Compose (for line numbers) and construct (for values) in one pass with the safe loader."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeFileError(
            path,
            1,
            "file not found; a knowledge directory needs states.yaml, threats.yaml, "
            "objectives.yaml and contacts.yaml (see knowledge/README.md)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeFileError(path, 1, f"cannot read the file as UTF-8 text: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise KnowledgeFileError(path, 1, f"file is empty; expected a top-level '{key}:' list")
        _reject_duplicate_keys(path, root)
        data: object = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise KnowledgeFileError(
            path, mark.line + 1 if mark else 1, f"YAML syntax: {detail}"
        ) from None
    except yaml.YAMLError as exc:
        raise KnowledgeFileError(path, 1, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    return root, data


def _reject_duplicate_keys(path: Path, node: yaml.Node) -> None:
    """YAML silently keeps the last of two equal keys; in a hand-edited file that hides a typo."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    line = key.start_mark.line + 1
                    raise KnowledgeFileError(
                        path, line, f"{key.value}: key appears twice in this entry"
                    )
                seen.add(key.value)
            _reject_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(path, item)


def _unique_codes(parsed: _Parsed, key: str, codes: Sequence[str]) -> None:
    first: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code in first:
            earlier = _node_at(parsed.root, (key, first[code], "code"), False).start_mark.line + 1
            raise parsed.fail((key, i, "code"), f"code: {code!r} is already used at line {earlier}")
        first[code] = i


def _node_at(root: yaml.Node, loc: Loc, at_key: bool) -> yaml.Node:
    """Follow a pydantic error location into the YAML tree as far as the tree goes."""
    node = root
    for n, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((kv for kv in node.value if getattr(kv[0], "value", None) == part), None)
            if match is None:
                return node
            node = match[0] if at_key and n == len(loc) - 1 else match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            return node
    return node


def _describe(error: ErrorDetails, model: type[BaseModel]) -> tuple[Loc, str, bool]:
    """Turn one pydantic error into (where, what to tell the editor, point at the key?)."""
    loc = error["loc"]
    field = _label(loc)
    kind = error["type"]
    if kind == "missing":
        where = "the file" if len(loc) == 1 else "this entry"
        return loc, f"{field}: required key is missing from {where}", False
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = ", ".join(owner.model_fields) if owner else "see knowledge/README.md"
        return loc, f"{field}: unknown key; allowed keys are: {allowed}", True
    if kind in ("not_one_of", "bad_value", "bad_date"):
        return loc, f"{field}: {error['msg']}", False
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"{field}: expected an entry of 'key: value' lines", False
    shown = repr(error["input"])
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return loc, f"{field}: {error['msg']} (got {shown})", False


def _label(loc: Loc) -> str:
    """Name a location the way the file reads: `indicators[0].due`, relative to its entry."""
    parts = list(loc[2:]) if len(loc) > 2 else list(loc)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "file"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The record model that owns the key at `loc`, to list its allowed keys."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if current else None
        current = _inner_model(field.annotation) if field else None
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
