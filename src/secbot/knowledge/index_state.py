"""What the index was built from, stored beside it, so a start with nothing changed touches
neither the vector store nor the model (docs/decisions/0013).

The state is a digest of every unit's id and fingerprint (units are built from SQL, which
`knowledge/` files are loaded into, so a changed file or submission changes it) plus the
embedder's identity (vectors from another model cannot be mixed in). Digesting the units
themselves, rather than a change counter, can never call a changed index unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secbot.knowledge.units import Unit

log = logging.getLogger(__name__)


def units_digest(units: Sequence[Unit]) -> str:
    body = hashlib.sha256()
    for unit in sorted(units, key=lambda u: u.id):
        body.update(f"{unit.id}\0{unit.fingerprint}\n".encode())
    return body.hexdigest()


@dataclass(frozen=True)
class Stamp:
    embedder: str
    digest: str
    count: int


class IndexState:
    """A small JSON file: {embedder, digest, count} of the last complete start-up check."""

    def __init__(self, path: Path, embedder: str) -> None:
        self.path = path
        self.embedder = embedder

    def stamp(self, units: Sequence[Unit]) -> Stamp:
        return Stamp(self.embedder, units_digest(units), len(units))

    def read(self) -> Stamp | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Stamp(str(data["embedder"]), str(data["digest"]), int(data["count"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, stamp: Stamp) -> None:
        """Written to a temporary file and renamed, so a crash never leaves half a stamp."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(
            json.dumps({"embedder": stamp.embedder, "digest": stamp.digest, "count": stamp.count}),
            encoding="utf-8",
        )
        partial.replace(self.path)

    def forget(self) -> None:
        """The index is about to change after start: the stamp no longer describes it."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove the index stamp %s", self.path)
