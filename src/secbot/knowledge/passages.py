"""What retrieval hands to an answerer: permitted passages with their citations, nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk that has passed the visibility re-check.

    `citation` is what a reader sees, e.g. "Security management model, para 15" or
    "BRB-0007 (BRB, TLP:AMBER)". `public_id` and `tlp` are set only for submissions.
    """

    chunk_id: str
    source: str
    locator: str
    citation: str
    text: str
    score: float
    kind: str = "document"
    public_id: str | None = None
    owner: str | None = None
    tlp: str | None = None
    card: str | None = None
    """How a register entry (threat, objective, contact) reads when it is the hit."""
    as_of: str = ""
    """The version of a yearly series answered from when the question named none."""


@dataclass(frozen=True)
class Citation:
    source: str
    locator: str
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...] = field(default_factory=tuple)
    found: bool = True
