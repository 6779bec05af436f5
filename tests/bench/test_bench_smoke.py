"""Smoke run of scripts/bench_retrieval.py: 200 reports, 10 questions, the real embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.scripts import load_script


@pytest.mark.slow
def test_bench_smoke(tmp_path: Path) -> None:
    out = tmp_path / "retrieval.json"
    returned = load_script("bench_retrieval").main(
        ["--reports", "200", "--questions", "10", "--out", str(out), "--data-dir", str(tmp_path)]
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result == json.loads(json.dumps(returned))

    assert {
        "config",
        "setup",
        "index",
        "baseline",
        "loaded",
        "p95_ratio",
        "freshness",
        "memory",
        "restart",
        "targets",
    } <= set(result)
    assert result["config"]["states"] == 15
    assert result["setup"]["reports"] == 200
    assert result["index"]["indexed_reports"] == 200
    assert result["index"]["embedded"] == 200
    assert result["index"]["embeddings_per_s"] > 0
    for phase in ("baseline", "loaded"):
        stats = result[phase]
        assert stats["count"] == 10 * 4
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["p99_ms"] <= stats["max_ms"]
        assert stats["mean_ms"] > 0
        assert stats["found_ratio"] > 0
        assert set(stats["by_principal"]) == {
            "focal_point_dm",
            "secretariat_dm",
            "unknown",
            "group_member",
        }
    assert result["p95_ratio"] > 0
    fresh = result["freshness"]
    for step in ("new_report_owner", "share_grantee", "unshare_grantee"):
        assert fresh[step]["reflected"] is True
        assert fresh[step]["engine_ms"] > 0 and fresh[step]["visible_after_ms"] >= 0
    assert fresh["grantee_before_share_sees"] is False
    assert fresh["index_readers_after_unshare"] == ["*none"]
    restart = result["restart"]
    assert restart["units"] == result["index"]["units_total"] + 1  # plus the freshness report
    assert restart["latency"]["count"] == 10 * 4 and restart["latency"]["p95_ms"] > 0
    assert restart["memory"]["hwm_rss_mb"] > 0
    memory = result["memory"]
    assert memory["current_rss_mb"] > 0 and memory["peak_rss_mb"] > 0
