"""Smoke run of scripts/bench_links.py: 200 reports, 20 filings, the hashing embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.scripts import load_script


@pytest.mark.slow
def test_bench_links_smoke(tmp_path: Path) -> None:
    out = tmp_path / "links.json"
    returned = load_script("bench_links").main(
        [
            "--reports",
            "200",
            "--filings",
            "20",
            "--embedder",
            "hashing",
            "--out",
            str(out),
            "--data-dir",
            str(tmp_path),
        ]
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result == json.loads(json.dumps(returned))
    assert result["config"] == {
        "reports": 200,
        "filings": 20,
        "embedder": "hashing",
        "reuse_vectors": True,
        "states": 15,
    }
    for key in ("filing_ms", "checks_ms", "filing_with_checks_ms"):
        assert 0 < result[key]["p50"] <= result[key]["p95"]
    assert result["added_p95_ratio"] >= 1.0
