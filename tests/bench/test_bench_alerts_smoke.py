"""Smoke run of scripts/bench_alerts.py: 40 Telegram groups and 10 Slack channels, a clean run
and a SIGKILL restart of the real `secbot serve` process, on SQLite (about 30 seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bench.scripts import load_script
from tests.conftest import PG_MISSING, PG_URL


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_bench_alerts_smoke(tmp_path: Path) -> None:
    out = tmp_path / "alerts.json"
    returned = load_script("bench_alerts").main(
        [
            "--telegram",
            "40",
            "--slack",
            "10",
            "--scenarios",
            "clean,sigkill",
            "--database",
            "sqlite",
            "--out",
            str(out),
            "--data-dir",
            str(tmp_path / "runs"),
            "--timeout",
            "60",
        ]
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result == json.loads(json.dumps(returned))

    assert set(result["scenarios"]) == {"clean", "sigkill"}
    for name, run in result["scenarios"].items():
        assert run["database"] == "sqlite", name
        assert not run["timed_out"], name
        assert run["total"] == 50, name
        assert run["completed"] == run["total"], name
        assert run["lost"] == 0, name
        assert run["telegram"]["successes"] >= 40 and run["slack"]["successes"] >= 10, name
        assert all(stop["exit_code"] == 0 for stop in run["final_stop"]), name
        assert run["ok"], run["problems"]
    assert result["scenarios"]["clean"]["duplicates"] == 0
    kill = result["scenarios"]["sigkill"]
    assert kill["interrupt"]["signal"] == "SIGKILL" and kill["interrupt"]["exit_code"] == -9
    assert kill["duplicates"] <= kill["in_flight_at_kill"]
    assert result["ok"]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_two_dispatch_processes_on_postgresql_send_nothing_twice(tmp_path: Path) -> None:
    pg_url = PG_URL
    if not pg_url:
        pytest.skip(f"needs PostgreSQL: {PG_MISSING}")
    out = tmp_path / "alerts.json"
    load_script("bench_alerts").main(
        [
            "--telegram",
            "60",
            "--slack",
            "10",
            "--scenarios",
            "pg-two-workers",
            "--pg-url",
            pg_url,
            "--out",
            str(out),
            "--data-dir",
            str(tmp_path / "runs"),
            "--timeout",
            "60",
        ]
    )
    run = json.loads(out.read_text(encoding="utf-8"))["scenarios"]["pg-two-workers"]
    assert run["database"] == "postgresql"
    assert run["completed"] == run["total"] == 70
    assert run["duplicates"] == 0 and run["lost"] == 0
    assert len(run["final_stop"]) == 2  # two `secbot dispatch` processes
    assert len(run["sent_by_worker"]) == 2 and sum(run["sent_by_worker"].values()) == 70
    assert run["telegram"]["429_flood"] == 0  # the shared window held across both processes
    assert all(stop["exit_code"] == 0 for stop in run["final_stop"])
