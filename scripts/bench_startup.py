#!/usr/bin/env python
"""Start-up benchmark: this tree against a baseline commit, measured in the same run.

    .venv/bin/python scripts/bench_startup.py                    # 5 runs each, against 2e247bc
    .venv/bin/python scripts/bench_startup.py --runs 3 --baseline main

The baseline's `src/` is taken with `git archive` into a temporary folder and run with the same
interpreter (PYTHONPATH points at one `src/` or the other); runs alternate old, new, old, new
so a busy machine slows both alike. Each version has its own data folder and SQLite database,
prepared (migrated, knowledge loaded, index built) by one untimed run first: the timed runs
are a restart with nothing changed, as an operator or a trial user meets it.

Scenarios (targets from issue 12):
- chat_help: `secbot chat` in a pipe, from spawn to the first line of its reply to `help`
  (target 1.5 s); its stdout must hold the conversation only (no log line).
- ask: `secbot ask QUESTION`, spawn to exit (target 4 s).
- serve_ready: `secbot serve` with Telegram long polling against the local fake Bot API,
  spawn to `/healthz` reporting Telegram up (target 3 s).
- serve_answer: spawn to the reply to a question from a member, sent as soon as it was ready.

Medians are reported with the ratio new/old. Results go to var/bench/startup.json; exits
non-zero when a target is missed (`--no-targets` to only report).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO / "src", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import httpx  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer  # noqa: E402

QUESTION = "What is the common maritime picture for the island chain?"
TOKEN = "123:startup"
TARGETS = {"chat_help": 1.5, "ask": 4.0, "serve_ready": 3.0}
SCENARIOS = ("chat_help", "ask", "serve_ready", "serve_answer")


def log(message: str) -> None:
    print(f"[bench_startup] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def baseline_src(revision: str, into: Path) -> Path:
    """The baseline's src/ folder, from git (no checkout of this worktree is touched), with its
    own knowledge/ beside it: an older tree may not read today's knowledge files."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision, "src", "knowledge"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


class Version:
    """One source tree, with its own data folder and database."""

    def __init__(self, name: str, src: Path, data: Path, embeddings: str) -> None:
        self.name, self.src, self.data = name, src, data
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SECBOT_")}
        self.env.update(
            PYTHONPATH=str(src),
            PYTHONUNBUFFERED="1",
            SECBOT_DATA_DIR=str(data),
            SECBOT_KNOWLEDGE_DIR=str(src.parent / "knowledge"),
            SECBOT_EMBEDDINGS=embeddings,
            SECBOT_DISPATCH_ENABLED="false",
        )

    def run(self, *args: str, stdin: str = "", extra: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "secbot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **(extra or {})},
            cwd=self.data,
            timeout=600,
            check=True,
        )
        return done.stdout

    def spawn(self, *args: str, extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "secbot", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, **(extra or {})},
            cwd=self.data,
        )


def prepare(version: Version) -> str:
    """Migrate, load knowledge, build the index (untimed); a member's invite for serve."""
    version.data.mkdir(parents=True, exist_ok=True)
    version.run("ask", QUESTION)
    return version.run("admin", "invite", "create", "--state", "BRB", "--role", "delegate")


def chat_help(version: Version) -> dict[str, Any]:
    started = time.perf_counter()
    proc = version.spawn("chat", "--as", "bench")
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("help\n")
    proc.stdin.flush()
    first = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    rest, errors = proc.communicate(timeout=120)  # closes stdin: the session ends
    stdout = first + rest
    noisy = [
        line
        for line in stdout.splitlines()
        if line.startswith(("DEBUG", "INFO", "WARNING", "ERROR")) or "bm25s" in line
    ]
    debug = [line for line in errors.splitlines() if "DEBUG" in line or "bm25s" in line]
    return {"seconds": elapsed, "stdout_clean": not noisy, "stderr_clean": not debug}


def ask(version: Version) -> dict[str, Any]:
    started = time.perf_counter()
    out = version.run("ask", QUESTION)
    return {"seconds": time.perf_counter() - started, "answered": "[1]" in out}


def serve(version: Version, telegram: FakeTelegramServer, code: str, user: int) -> dict[str, Any]:
    """Spawn to /healthz with Telegram up; then a member's question, spawn to its reply. One
    fake server per version for all runs: update ids must keep growing, as Telegram's do (the
    inbox drops an update id it has handled before)."""
    port = free_port()
    extra = {
        "SECBOT_TELEGRAM_TOKEN": TOKEN,
        "SECBOT_TELEGRAM_BASE_URL": telegram.url,
        "SECBOT_HTTP_PORT": str(port),
        "SECBOT_LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    proc = version.spawn("serve", extra=extra)
    try:
        ready = wait(lambda: _telegram_up(port), 120)
        ready_s = time.perf_counter() - started
        telegram.push_message(user, user, f"/join {code}")
        wait(lambda: len(telegram.sent(user)) >= 1, 120)
        telegram.push_message(user, user, f"/ask {QUESTION}")
        wait(lambda: len(telegram.sent(user)) >= 2, 300)
        answer_s = time.perf_counter() - started
        answered = "[1]" in str(telegram.sent(user)[-1].get("text", ""))
    finally:
        proc.terminate()
        try:
            _, errors = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, errors = proc.communicate()
        with (version.data / "serve.log").open("a", encoding="utf-8") as kept:
            kept.write(errors)
    return {"ready": ready, "seconds": ready_s, "answer_seconds": answer_s, "answered": answered}


def _telegram_up(port: int) -> bool:
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
    except (httpx.HTTPError, ValueError):
        return False
    return bool(health.get("transports", {}).get("telegram") == "up")


def wait(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if check():
            return True
        time.sleep(0.02)
    raise TimeoutError("the bot did not get there in time")


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else 0.0


def source_of(version: Version) -> str:
    """Which secbot the interpreter imports with this PYTHONPATH (checked, not assumed)."""
    done = subprocess.run(
        [sys.executable, "-c", "import secbot; print(secbot.__file__)"],
        capture_output=True,
        text=True,
        env=version.env,
        check=True,
    )
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default="2e247bc", help="git revision to compare with")
    parser.add_argument("--embeddings", default="local", help="SECBOT_EMBEDDINGS for both")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "startup.json")
    parser.add_argument("--no-targets", action="store_true", help="report only, exit 0")
    args = parser.parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="secbot-startup-") as tmp, ExitStack() as stack:
        telegrams = {
            name: stack.enter_context(FakeTelegramServer(token=TOKEN)) for name in ("old", "new")
        }
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        versions = [
            Version(
                "old", baseline_src(args.baseline, work / "baseline"), work / "old", args.embeddings
            ),
            Version("new", REPO / "src", work / "new", args.embeddings),
        ]
        codes = {}
        for version in versions:
            source = source_of(version)
            if not source.startswith(str(version.src)):
                raise SystemExit(f"{version.name}: imports {source}, not from {version.src}")
            log(f"preparing {version.name} ({version.src})")
            codes[version.name] = prepare(version).strip().splitlines()[-1]
        samples: dict[str, dict[str, list[dict[str, Any]]]] = {
            v.name: {s: [] for s in scenarios} for v in versions
        }
        for run in range(args.runs):
            for version in versions:
                for scenario in scenarios:
                    if scenario == "serve_answer":
                        continue  # measured with serve_ready, from the same process
                    if scenario == "serve_ready":
                        code = codes[version.name] if run == 0 else ""
                        user = 5000 + run
                        if not code:
                            code = (
                                version.run(
                                    "admin",
                                    "invite",
                                    "create",
                                    "--state",
                                    "BRB",
                                    "--role",
                                    "delegate",
                                )
                                .strip()
                                .splitlines()[-1]
                            )
                        result = serve(version, telegrams[version.name], code, user)
                        samples[version.name]["serve_ready"].append(result)
                        if "serve_answer" in scenarios:
                            samples[version.name]["serve_answer"].append(
                                {
                                    "seconds": result["answer_seconds"],
                                    "answered": result["answered"],
                                }
                            )
                    elif scenario == "chat_help":
                        samples[version.name][scenario].append(chat_help(version))
                    else:
                        samples[version.name][scenario].append(ask(version))
                    last = samples[version.name][scenario][-1]
                    log(f"run {run + 1} {version.name} {scenario}: {last['seconds']:.2f} s")
    report: dict[str, Any] = {
        "baseline": args.baseline,
        "runs": args.runs,
        "embeddings": args.embeddings,
        "scenarios": {},
        "samples": samples,
    }
    missed = []
    for scenario in scenarios:
        old = median([s["seconds"] for s in samples["old"][scenario]])
        new = median([s["seconds"] for s in samples["new"][scenario]])
        entry: dict[str, Any] = {
            "old_median_s": old,
            "new_median_s": new,
            "ratio": round(new / old, 3) if old else None,
            "target_s": TARGETS.get(scenario),
        }
        if scenario == "chat_help":
            for name in ("old", "new"):
                runs = samples[name][scenario]
                entry[f"{name}_stdout_clean"] = all(s["stdout_clean"] for s in runs)
                entry[f"{name}_stderr_clean"] = all(s["stderr_clean"] for s in runs)
        if scenario in ("ask", "serve_answer"):
            entry["new_answered"] = all(s["answered"] for s in samples["new"][scenario])
        report["scenarios"][scenario] = entry
        target = TARGETS.get(scenario)
        if target is not None and new > target:
            missed.append(f"{scenario} {new:.2f} s > {target} s")
        print(
            f"{scenario:13s} old {old:6.2f} s   new {new:6.2f} s   ratio {entry['ratio']}"
            + (f"   target {target} s" if target else "")
        )
    report["missed"] = missed
    report["ok"] = not missed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if missed and not args.no_targets:
        print("missed: " + "; ".join(missed), file=sys.stderr)
        raise SystemExit(1)
    return report


if __name__ == "__main__":
    main()
