"""Load the gazetteer: knowledge/places/<STATE>.yaml, one file per member state.

Optional (a knowledge folder without `places/` simply has no gazetteer), but every file present
is checked as strictly as the other knowledge files: an unknown key, a state not in
states.yaml, a name given twice or coordinates off the globe stop the load with the file and
the entry to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from secbot.domain.places import GazetteerPlace, words
from secbot.knowledge.yaml_source import KnowledgeFileError

FOLDER = "places"

Name = Annotated[str, Field(min_length=2, max_length=120)]


class _PlaceRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    region: Annotated[str, Field(min_length=1, max_length=80)]
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z ]{1,23}$")]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    also: tuple[Name, ...] = ()


class _PlacesFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    state: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    places: tuple[_PlaceRecord, ...]


def load_places(directory: Path, state_codes: set[str]) -> tuple[GazetteerPlace, ...]:
    """Every place in `directory/places/*.yaml`, in file then entry order."""
    folder = directory / FOLDER
    if not folder.is_dir():
        return ()
    found: list[GazetteerPlace] = []
    for path in sorted(folder.glob("*.yaml")):
        found += _load_file(path, state_codes)
    return tuple(found)


def _load_file(path: Path, state_codes: set[str]) -> list[GazetteerPlace]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = _PlacesFile.model_validate(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KnowledgeFileError(path, mark.line + 1 if mark else 1, str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KnowledgeFileError(path, 1, f"{where}: {first['msg']}") from None
    if parsed.state not in state_codes:
        raise KnowledgeFileError(path, 1, f"state: {parsed.state!r} is not a code in states.yaml")
    if path.stem != parsed.state:
        raise KnowledgeFileError(
            path, 1, f"the file for {parsed.state} is named {parsed.state}.yaml"
        )
    seen: dict[tuple[str, ...], str] = {}
    places = []
    for i, record in enumerate(parsed.places):
        for name in (record.name, *record.also):
            key = tuple(words(name))
            if key in seen and seen[key] != record.name:
                raise KnowledgeFileError(
                    path, 1, f"places.{i}: {name!r} already names {seen[key]!r}; names are unique"
                )
            seen[key] = record.name
        places.append(
            GazetteerPlace(
                parsed.state,
                record.name,
                record.region,
                record.kind,
                record.lat,
                record.lon,
                record.also,
            )
        )
    return places
