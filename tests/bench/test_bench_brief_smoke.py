"""Smoke run of scripts/bench_brief.py on a small data set: it seeds, times every step and
prints the fields the README's table is read from."""

from __future__ import annotations

import json

import pytest

from tests.bench.scripts import load_script


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_bench_brief_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    load_script("bench_brief").main(["--reports", "400", "--runs", "1"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["reports"] == 400
    assert 0 < result["counted"] < 400  # private and RED reports are not the secretariat's
    for step in ("compute", "chart", "heatmap", "pdf", "csv", "json", "total", "cpu"):
        assert result[f"{step}_ms"] > 0
    assert result["total_ms"] >= result["compute_ms"] + result["pdf_ms"]
    assert result["baseline_count_ms"] > 0 and result["ratio_to_baseline"] > 1
