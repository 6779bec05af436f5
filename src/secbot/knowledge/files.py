"""Load and validate the regional knowledge files: states, threats, objectives and contacts.

A secretariat edits these YAML files by hand, so every fault is reported as one
`KnowledgeFileError` naming the file and the line of the offending value (yaml_source.py), and
each file's shape is a record (records.py). This module reads the four files and checks what
no single file can: unique codes, and references between files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from secbot.knowledge.records import (
    ContactRecord,
    ContactsFile,
    ObjectiveRecord,
    ObjectivesFile,
    StateRecord,
    StatesFile,
    ThreatRecord,
    ThreatsFile,
)
from secbot.knowledge.yaml_source import (
    KnowledgeFileError,
    Loc,
    describe,
    node_at,
    read_yaml,
    root_causes,
)

M = TypeVar("M", bound=BaseModel)


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
            self.path, node_at(self.root, loc, at_key).start_mark.line + 1, message
        )


def load_knowledge(directory: Path) -> KnowledgeBundle:
    """Read the four files in `directory`; raise KnowledgeFileError at the first fault found."""
    states_file, states = _load(directory / "states.yaml", "states", StatesFile)
    threats_file, threats = _load(directory / "threats.yaml", "threats", ThreatsFile)
    objectives_file, objectives = _load(directory / "objectives.yaml", "objectives", ObjectivesFile)
    contacts_file, contacts = _load(directory / "contacts.yaml", "contacts", ContactsFile)
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
    root, data = read_yaml(path, key)
    parsed = _Parsed(path, root)
    if not isinstance(data, dict):
        raise parsed.fail((), f"expected a mapping with a top-level '{key}:' list")
    try:
        return parsed, model.model_validate(data)
    except ValidationError as exc:
        errors = root_causes(exc.errors())
        errors.sort(key=lambda e: node_at(root, e["loc"], False).start_mark.line)
        loc, message, at_key = describe(errors[0], model)
        raise parsed.fail(loc, message, at_key=at_key) from None


def _unique_codes(parsed: _Parsed, key: str, codes: Sequence[str]) -> None:
    first: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code in first:
            earlier = node_at(parsed.root, (key, first[code], "code"), False).start_mark.line + 1
            raise parsed.fail((key, i, "code"), f"code: {code!r} is already used at line {earlier}")
        first[code] = i
