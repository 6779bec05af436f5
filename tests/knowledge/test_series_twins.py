"""With no version named, the latest version of a series wins only over its own near-identical
paragraphs: a paragraph only an older version has keeps its score (decision 0030)."""

from __future__ import annotations

from typing import Any

from secbot.knowledge.extractive import terms
from secbot.knowledge.fusion import LATEST_BOOST, Plan, prefer_latest

PASSAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "old#1": (
        "Decides to extend, to 15 July 2024, the mandate of BINUH in accordance with its "
        "resolution 2476 (2019), headed by a Special Representative of the Secretary-General.",
        {"source": "old"},
    ),
    "new#1": (
        "Decides to extend, to 31 January 2026, the mandate of BINUH in accordance with its "
        "resolution 2476 (2019), headed by a Special Representative of the Secretary-General.",
        {"source": "new"},
    ),
    "old#7": (
        "Welcomes the guidance of the shipping industry on self-protection of crews.",
        {"source": "old"},
    ),
    "other#1": ("Decides to extend the mandate of BINUH.", {"source": "other"}),
}


def test_an_older_twin_yields_to_the_latest_and_a_paragraph_of_its_own_does_not() -> None:
    scores = {"old#1": 1.0, "new#1": 0.98, "old#7": 0.9, "other#1": 0.97}
    plan = Plan({}, as_of={"new": "S/RES/2785 (2025)"}, twins={"new": ("old",)})
    out = prefer_latest(scores, PASSAGES.__getitem__, plan, terms)
    assert out["old#1"] == 1.0 - LATEST_BOOST
    assert out["new#1"] == 0.98 + LATEST_BOOST
    assert out["new#1"] > out["old#1"]
    assert out["old#7"] == 0.9  # only the older version says it: it keeps its score
    assert out["other#1"] == 0.97  # not of the series


def test_without_a_latest_choice_nothing_moves() -> None:
    scores = {"old#1": 1.0, "new#1": 0.98}
    assert prefer_latest(scores, PASSAGES.__getitem__, Plan({}), terms) == scores
