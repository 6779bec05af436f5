"""Smoke run of scripts/bench_chaos.py: a few reports through two transports with one SIGKILL
of the real `secbot serve` process each, on SQLite; nothing may be lost or filed twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.scripts import load_script


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_bench_chaos_smoke(tmp_path: Path) -> None:
    out = tmp_path / "chaos.json"
    returned = load_script("bench_chaos").main(
        [
            "--reports",
            "12",
            "--kills",
            "1",
            "--seconds",
            "6",
            "--users",
            "3",
            "--transports",
            "telegram-polling,slack-socket",
            "--latency-samples",
            "10",
            "--data-dir",
            str(tmp_path / "runs"),
            "--out",
            str(out),
        ]
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result == json.loads(json.dumps(returned))
    assert [r["transport"] for r in result["runs"]] == ["telegram-polling", "slack-socket"]
    for run in result["runs"]:
        assert run["kills"] == 1
        assert run["acknowledged"] == run["sent"] == 12
        assert run["filed"] == 12 and run["lost"] == 0 and run["duplicated"] == 0
    assert result["latency"]["inbox_p50_ms"] > 0 and result["latency"]["direct_p50_ms"] > 0
