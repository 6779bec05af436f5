"""Where the repository's own files are, for tests that read them."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "knowledge"
CORPUS = REPO.parent / "shared" / "corpus" / "un-security"
SEED = REPO.parent / "shared" / "seeds" / "security-management-model.txt"
