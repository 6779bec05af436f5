"""Knowledge files: the shipped sample loads, and each fault is reported at its file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from secbot.domain.enums import FunctionalArea, SecurityDimension
from secbot.knowledge.files import KnowledgeBundle, load_knowledge
from secbot.knowledge.records import STATE_AREAS, ContactRecord
from secbot.knowledge.yaml_source import KnowledgeFileError

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge"

# A minimal valid directory, small enough that the line numbers below can be read off by eye.
MINIMAL = {
    "states.yaml": """\
states:
  - code: BRB
    name: Barbados
  - code: JAM
    name: Jamaica
""",
    "threats.yaml": """\
threats:
  - code: RT-01
    title: Storms
    dimension: environment
    category: natural_hazard
    description: Storms hit hard.
    likelihood: likely
    impact: severe
    lead_area: defence
    status: active
    topics: [storm]
  - code: RT-02
    title: Ransomware
    dimension: cyber
    category: cyber_incident
    description: Systems get locked.
    likelihood: possible
    impact: major
    lead_area: security
    status: monitoring
    topics: [cyber]
""",
    "objectives.yaml": """\
objectives:
  - code: OBJ-01
    title: Be ready
    description: Plans are tested.
    indicators:
      - indicator: Exercises held
        target: All states
        due: "2026-06-01"
    lead_actors: [CDEMA Coordinating Unit]
    linked_threats: [RT-01, RT-02]
    status: agreed
    topics: [disaster]
""",
    "contacts.yaml": """\
contacts:
  - state: BRB
    organisation: Government of Barbados
    office: Ministry of Foreign Affairs
    role: OAS liaison
    area: diplomatic
    channel: duty desk via the national focal point
    topics: [oas]
  - state: null
    organisation: CDEMA
    office: Coordinating Unit
    role: duty desk
    area: regional_organisation
    channel: cdema@example.org
    topics: [disaster]
""",
}


@pytest.fixture
def minimal_dir(tmp_path: Path) -> Path:
    """A knowledge directory holding the MINIMAL files, ready to be broken one fault at a time."""
    for name, text in MINIMAL.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBundle:
    return load_knowledge(SHIPPED)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(directory: Path) -> KnowledgeFileError:
    with pytest.raises(KnowledgeFileError) as caught:
        load_knowledge(directory)
    return caught.value


# --- the shipped sample data ------------------------------------------------------------------


def test_minimal_directory_loads(minimal_dir: Path) -> None:
    bundle = load_knowledge(minimal_dir)
    assert [s.code for s in bundle.states] == ["BRB", "JAM"]
    assert bundle.objectives[0].indicators[0].due.isoformat() == "2026-06-01"
    assert bundle.contacts[1].state is None


def test_shipped_files_are_marked_as_sample_data() -> None:
    for name in ("states.yaml", "threats.yaml", "objectives.yaml", "contacts.yaml"):
        first = (SHIPPED / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# SAMPLE DATA"), name
    assert "SAMPLE DATA" in (SHIPPED / "README.md").read_text(encoding="utf-8")


def test_shipped_register_covers_every_security_dimension(shipped: KnowledgeBundle) -> None:
    assert {t.dimension for t in shipped.threats} == set(SecurityDimension)
    assert 20 <= len(shipped.threats) <= 26
    assert [t.code for t in shipped.threats] == [f"RT-{i:02d}" for i in range(1, 27)][
        : len(shipped.threats)
    ]


def test_shipped_objectives_are_measurable_and_linked(shipped: KnowledgeBundle) -> None:
    threat_codes = {t.code for t in shipped.threats}
    assert 10 <= len(shipped.objectives) <= 12
    for objective in shipped.objectives:
        assert objective.indicators, objective.code
        assert objective.linked_threats, objective.code
        assert set(objective.linked_threats) <= threat_codes


def test_every_state_has_all_seven_areas_in_contacts(shipped: KnowledgeBundle) -> None:
    assert len(shipped.states) == 13
    for state in shipped.states:
        areas = [c.area for c in shipped.contacts if c.state == state.code]
        assert sorted(areas) == sorted(STATE_AREAS), state.code


def test_regional_and_non_state_contacts_have_no_state(shipped: KnowledgeBundle) -> None:
    regional = [c for c in shipped.contacts if c.state is None]
    assert {c.area for c in regional} == {
        FunctionalArea.REGIONAL_ORGANISATION,
        FunctionalArea.ACADEMIA,
        FunctionalArea.CIVIL_SOCIETY,
    }
    organisations = {c.organisation for c in regional}
    for body in ("CARICOM IMPACS", "Regional Security System", "CDEMA", "CARPHA"):
        assert body in organisations


NAME_LIKE_KEYS = {"name", "person", "full_name", "first_name", "last_name", "surname", "contact"}
HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Hon|Col|Capt|Lt)\.?\s+[A-Z][a-z]+")
PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")


def test_no_contact_names_a_person(shipped: KnowledgeBundle) -> None:
    assert not NAME_LIKE_KEYS & set(ContactRecord.model_fields)
    raw = yaml.safe_load((SHIPPED / "contacts.yaml").read_text(encoding="utf-8"))["contacts"]
    for entry in raw:
        assert not NAME_LIKE_KEYS & set(entry), entry
    for contact in shipped.contacts:
        for value in (contact.organisation, contact.office, contact.role, contact.channel):
            assert not HONORIFIC.search(value), value
            assert not PHONE.search(value), value
        channel = contact.channel
        assert channel.endswith("@example.org") or "national focal point" in channel, channel


def test_records_are_frozen(shipped: KnowledgeBundle) -> None:
    with pytest.raises(ValueError):
        shipped.threats[0].title = "changed"  # type: ignore[misc]


# --- faults in the minimal directory, with exact lines ----------------------------------------

FAULTS = [
    pytest.param(
        "threats.yaml",
        "dimension: cyber",
        "dimension: cybr",
        14,
        "dimension: 'cybr' is not one of: military_political, sovereignty, external_attack, "
        "external_interference, environment, economy_trade, democratic_institutions, "
        "transnational_crime, cyber, public_health",
        id="bad-enum",
    ),
    pytest.param(
        "threats.yaml",
        "lead_area: defence",
        "lead_area: academia",
        9,
        "lead_area: 'academia' is not one of: political, diplomatic, economic, legal, social, "
        "defence, security",
        id="lead-area-not-a-state-area",
    ),
    pytest.param(
        "threats.yaml",
        "category: natural_hazard",
        "category: weather",
        5,
        "category: 'weather' is not a taxonomy category (",
        id="unknown-category",
    ),
    pytest.param(
        "threats.yaml",
        "    impact: severe\n",
        "    impact: severe\n    colour: red\n",
        9,
        "colour: unknown key; allowed keys are: code, title, dimension, category, description, "
        "likelihood, impact, lead_area, status, topics",
        id="unknown-key",
    ),
    pytest.param(
        "threats.yaml",
        "    title: Ransomware\n",
        "",
        12,
        "title: required key is missing from this entry",
        id="missing-key",
    ),
    pytest.param(
        "threats.yaml",
        "code: RT-02",
        "code: RT-01",
        12,
        "code: 'RT-01' is already used at line 2",
        id="duplicate-threat-code",
    ),
    pytest.param(
        "threats.yaml",
        "topics: [cyber]",
        "topics: [cyber, Cyber]",
        21,
        "topics[1]: 'Cyber' is not a lowercase keyword",
        id="topic-not-lowercase",
    ),
    pytest.param(
        "threats.yaml",
        "title: Storms",
        "title: Storms: and floods",
        3,
        "YAML syntax: mapping values are not allowed here",
        id="yaml-syntax",
    ),
    pytest.param(
        "states.yaml",
        "code: JAM",
        "code: BRB",
        4,
        "code: 'BRB' is already used at line 2",
        id="duplicate-state-code",
    ),
    pytest.param(
        "states.yaml",
        MINIMAL["states.yaml"],
        "- BRB\n- JAM\n",
        1,
        "expected a mapping with a top-level 'states:' list",
        id="not-a-mapping",
    ),
    pytest.param(
        "objectives.yaml",
        "RT-01, RT-02]",
        "RT-01, RT-09]",
        10,
        "linked_threats: 'RT-09' is not a code in threats.yaml",
        id="unknown-linked-threat",
    ),
    pytest.param(
        "objectives.yaml",
        'due: "2026-06-01"',
        'due: "June 2026"',
        8,
        "indicators[0].due: 'June 2026' is not a date written YYYY-MM-DD",
        id="bad-indicator-date",
    ),
    pytest.param(
        "objectives.yaml",
        "        target: All states\n",
        "",
        6,
        "indicators[0].target: required key is missing from this entry",
        id="missing-nested-key",
    ),
    pytest.param(
        "contacts.yaml",
        "state: BRB",
        "state: TTO",
        2,
        "state: 'TTO' is not a code in states.yaml (null for regional bodies)",
        id="unknown-state",
    ),
    pytest.param(
        "contacts.yaml",
        "    role: OAS liaison\n",
        "    role: OAS liaison\n    name: A. Person\n",
        6,
        "name: unknown key; allowed keys are: state, organisation, office, role, area, channel, "
        "topics",
        id="personal-name-field",
    ),
    pytest.param(
        "contacts.yaml",
        "    role: duty desk\n",
        "    role: duty desk\n    role: night desk\n",
        13,
        "role: key appears twice in this entry",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "line", "message"), FAULTS)
def test_fault_is_reported_at_file_and_line(
    minimal_dir: Path, name: str, old: str, new: str, line: int, message: str
) -> None:
    _replace(minimal_dir / name, old, new)
    error = _error(minimal_dir)
    assert error.path == minimal_dir / name
    assert error.line == line
    assert error.message.startswith(message)
    assert str(error) == f"{minimal_dir / name}:{line}: {error.message}"


def test_missing_file_is_reported(minimal_dir: Path) -> None:
    (minimal_dir / "contacts.yaml").unlink()
    error = _error(minimal_dir)
    assert error.path == minimal_dir / "contacts.yaml"
    assert error.line == 1
    assert error.message.startswith("file not found")


def test_empty_file_is_reported(minimal_dir: Path) -> None:
    (minimal_dir / "threats.yaml").write_text("# nothing yet\n", encoding="utf-8")
    error = _error(minimal_dir)
    assert (error.path.name, error.line) == ("threats.yaml", 1)
    assert "empty" in error.message


# --- the same faults in a copy of the shipped files (lines located in the copy) ---------------


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, target)
    return target


def _line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_fault_in_shipped_threats_points_at_its_line(shipped_copy: Path) -> None:
    threats = shipped_copy / "threats.yaml"
    _replace(threats, "dimension: public_health", "dimension: health")
    error = _error(shipped_copy)
    assert error.path == threats
    assert error.line == _line_of(threats, "dimension: health")
    assert error.line > 300


def test_fault_in_shipped_contacts_points_at_its_line(shipped_copy: Path) -> None:
    contacts = shipped_copy / "contacts.yaml"
    _replace(contacts, "state: TTO", "state: TTX")
    error = _error(shipped_copy)
    assert (error.path, error.line) == (contacts, _line_of(contacts, "state: TTX"))
    assert error.message.startswith("state: 'TTX' is not a code in states.yaml")
