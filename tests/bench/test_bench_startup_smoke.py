"""Smoke run of scripts/bench_startup.py: one run of each scenario, this tree against the
baseline commit, with the hashing embedder (the real model is what the full run measures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.scripts import load_script


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_bench_startup_smoke(tmp_path: Path) -> None:
    out = tmp_path / "startup.json"
    returned = load_script("bench_startup").main(
        [
            "--runs",
            "1",
            "--embeddings",
            "hashing",
            "--work-dir",
            str(tmp_path / "work"),
            "--out",
            str(out),
            "--no-targets",
        ]
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result == json.loads(json.dumps(returned))
    scenarios = result["scenarios"]
    assert set(scenarios) == {"chat_help", "ask", "serve_ready", "serve_answer"}
    for entry in scenarios.values():
        assert entry["old_median_s"] > 0 and entry["new_median_s"] > 0 and entry["ratio"] > 0
    assert scenarios["chat_help"]["new_stdout_clean"]
    assert scenarios["ask"]["new_answered"] and scenarios["serve_answer"]["new_answered"]
    assert scenarios["chat_help"]["new_median_s"] < scenarios["chat_help"]["old_median_s"]
