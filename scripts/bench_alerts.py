#!/usr/bin/env python
"""Alert broadcast benchmark: one alert to many chats, through the real bot process, under the
platforms' limits and injected failures, with graceful and hard restarts.

    .venv/bin/python scripts/bench_alerts.py                    # 800 + 200 chats, all scenarios
    .venv/bin/python scripts/bench_alerts.py --telegram 40 --slack 10 --scenarios clean,sigkill
    .venv/bin/python scripts/bench_alerts.py --database postgresql --scenarios sigterm,sigkill

The fake Telegram and Slack servers (tests/fakes) run in THIS process, in threads, with their
flood limits on (Telegram: 30 sendMessage/s overall, 20/min a group; Slack: 1 post/s a channel)
and seeded chaos (5 % 429, 2 % 5xx on sendMessage and chat.postMessage). The bot runs as a
separate process (`secbot serve`, or `secbot dispatch` twice for pg-two-workers), as deployed,
so signals and crashes are real. Each scenario gets a fresh database and fresh fakes:

- clean:           start, wait until every delivery is sent or failed, SIGTERM;
- sigterm:         start, SIGTERM at about half sent (at a moment with sends in flight, if one
                   comes within 3 s), restart, wait until done;
- sigkill:         the same with SIGKILL; deliveries still `sending` after the kill are the sends
                   in flight, the only ones that may legitimately arrive twice;
- pg-two-workers:  two `secbot dispatch` processes on one PostgreSQL schema (skipped if PostgreSQL
                   is not reachable).

Every number about delivery (duplicates, lost, throughput) is computed from what the fakes
received, not from the database's own bookkeeping, which is what is under test. Throughput is
successful sends / (last success - first attempt), so it includes start-up ramp, retry tails
and, for the restart scenarios, the restart gap. The script exits
non-zero if a scenario lost a delivery, duplicated one where it must not (clean, sigterm,
pg-two-workers), duplicated more than were in flight at a SIGKILL, or did not finish in time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO / "src", REPO):  # secbot without an editable install; tests.fakes
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from sqlalchemy import Engine, create_engine, func, select, text  # noqa: E402
from tests.fakes.slack_server import Call as SlackCall  # noqa: E402
from tests.fakes.slack_server import FakeSlackServer, SlackApiFailure  # noqa: E402
from tests.fakes.telegram_server import Call as TelegramCall  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer, TelegramApiError  # noqa: E402

from secbot.alerts import compose  # noqa: E402
from secbot.alerts.text import show_id  # noqa: E402
from secbot.db.models import AlertDelivery, Channel  # noqa: E402
from secbot.db.session import Database, make_engine  # noqa: E402
from secbot.db.types import utcnow  # noqa: E402
from secbot.identity.channels import add_channel  # noqa: E402

JSON = dict[str, Any]
SCENARIOS = ("clean", "sigterm", "sigkill", "pg-two-workers")
NO_DUPLICATES = frozenset({"clean", "sigterm", "pg-two-workers"})
TELEGRAM_LIMIT = 30.0  # sendMessage a second, what the fake enforces
TOKEN_TG = "123:abc"
TOKEN_SLACK = "xoxb-bench"
SLACK_TEAM = "T0BENCH"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
LEASE_SECONDS = 5  # a SIGKILLed worker's claims come back within seconds
GRACE_SECONDS = 15
POLL_SECONDS = 0.2


def log(message: str) -> None:
    print(f"[bench_alerts {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- fakes that say which kind of failure they returned -----------------------------------------

_fault = threading.local()  # each request is handled on its own thread of the fake's server


class BenchTelegram(FakeTelegramServer):
    """The Telegram fake, remembering for each failed call whether chaos or the flood limit
    (inside the sendMessage handler) refused it, so the bot's pacing can be judged apart."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN_TG, enforce_limits=True)
        self.faults: dict[int, str] = {}  # id(call) -> "injected" | "flood"

    def _process(self, call: TelegramCall) -> tuple[int, JSON]:
        _fault.kind = ""
        result = super()._process(call)
        if _fault.kind:
            with self._cond:
                self.faults[id(call)] = _fault.kind
        return result

    def _injected(self, method: str) -> None:
        try:
            super()._injected(method)
        except TelegramApiError:
            _fault.kind = "injected"
            raise

    def _check_flood(self, chat_id: int) -> None:
        try:
            super()._check_flood(chat_id)
        except TelegramApiError:
            _fault.kind = "flood"
            raise


class BenchSlack(FakeSlackServer):
    """The Slack fake, with the same injected / flood distinction as BenchTelegram."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN_SLACK, team_id=SLACK_TEAM, enforce_limits=True, strict=True)
        self.faults: dict[int, str] = {}

    def _process(self, call: SlackCall) -> tuple[int, JSON, dict[str, str]]:
        _fault.kind = ""
        result = super()._process(call)
        if _fault.kind:
            with self._cond:
                self.faults[id(call)] = _fault.kind
        return result

    def _injected(self, method: str) -> None:
        try:
            super()._injected(method)
        except SlackApiFailure:
            _fault.kind = "injected"
            raise

    def _post_message(self, params: dict[str, Any]) -> JSON:
        try:
            return super()._post_message(params)
        except SlackApiFailure as failure:
            if failure.error == "ratelimited":
                _fault.kind = "flood"
            raise


# ---- configuration and the bot processes ------------------------------------------------------


@dataclass(frozen=True)
class Config:
    telegram: int
    slack: int
    database: str
    data_dir: Path
    seed: int
    pg_url: str
    timeout: float

    @property
    def total(self) -> int:
        return self.telegram + self.slack


def telegram_chats(n: int) -> list[str]:
    """Supergroup ids, as Telegram gives them (-100 prefix): group pacing applies to them."""
    return [str(-1001000000001 - i) for i in range(n)]


def slack_channels(n: int) -> list[str]:
    return [f"C{i + 1:07d}" for i in range(n)]


def secbot_command() -> list[str]:
    """The installed console script next to this interpreter, as an operator would run it."""
    script = Path(sys.executable).with_name("secbot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "secbot"]


def bot_env(
    db_url: str, data_dir: Path, telegram: FakeTelegramServer, slack: FakeSlackServer
) -> dict[str, str]:
    """The bot's whole configuration; inherited SECBOT_ variables are dropped so a developer's
    shell cannot change what is measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECBOT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    env.update(
        SECBOT_DATA_DIR=str(data_dir),
        SECBOT_DATABASE_URL=db_url,
        SECBOT_KNOWLEDGE_DIR=str(REPO / "knowledge"),
        SECBOT_EMBEDDINGS="hashing",
        SECBOT_TELEGRAM_TOKEN=TOKEN_TG,
        SECBOT_TELEGRAM_BASE_URL=telegram.url,
        SECBOT_SLACK_BOT_TOKEN=TOKEN_SLACK,
        SECBOT_SLACK_API_URL=slack.base_url,
        SECBOT_SLACK_SIGNING_SECRET="bench-signing-secret",
        SECBOT_HTTP_PORT="0",
        SECBOT_DISPATCH_LEASE_SECONDS=str(LEASE_SECONDS),
        SECBOT_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
        SECBOT_LOG_LEVEL="INFO",
    )
    return env


@dataclass
class Bot:
    """One bot process: when it ran, how it ended, where its log is."""

    label: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]
    started: float
    ended: float | None = None
    exit_code: int | None = None
    stop_s: float | None = None

    @classmethod
    def start(cls, label: str, command: str, env: dict[str, str], run_dir: Path) -> Bot:
        log_path = run_dir / f"{label}.log"
        log_file = log_path.open("wb")
        started = time.time()
        proc = subprocess.Popen(
            [*secbot_command(), command],
            env=env,
            cwd=run_dir,  # no stray .env file is read
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log(f"started {label} ({command}, pid {proc.pid})")
        return cls(label, proc, log_path, log_file, started)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(
        self, sig: signal.Signals = signal.SIGTERM, timeout: float = GRACE_SECONDS + 15
    ) -> None:
        """Signal and wait; a bot that does not exit in time is killed (and the hang shows as
        exit code -9 and a long stop)."""
        t0 = time.time()
        if self.running():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.label} did not exit {timeout:.0f} s after {sig.name}; killing it")
                self.proc.kill()
                self.proc.wait(10)
        self.ended = time.time()
        self.stop_s = round(self.ended - t0, 3)
        self.exit_code = self.proc.returncode
        self.log_file.close()
        log(f"{self.label} stopped by {sig.name}: exit {self.exit_code} after {self.stop_s} s")

    def kill_if_running(self) -> None:
        if self.running():
            self.proc.kill()
            self.proc.wait(10)
        if not self.log_file.closed:
            self.log_file.close()

    def log_summary(self) -> JSON:
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        errors = sum(
            1 for x in lines if '"level": "ERROR"' in x or x.startswith(("ERROR", "Traceback"))
        )
        warnings = sum(1 for x in lines if '"level": "WARNING"' in x or x.startswith("WARNING"))
        return {"path": str(self.log_path), "errors": errors, "warnings": warnings}


# ---- database ---------------------------------------------------------------------------------


def pg_reachable(url: str) -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure means: not usable for this run
        return f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"


def create_schema(pg_url: str) -> tuple[str, str]:
    """A schema of its own in the test database, as tests/conftest.py makes per session; returns
    (schema, url selecting it through search_path)."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in pg_url else "?"
    return schema, f"{pg_url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(pg_url: str, schema: str) -> None:
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def reader(url: str) -> Engine:
    """For polling. On SQLite a plain engine: secbot's own starts every transaction with BEGIN
    IMMEDIATE (the write lock), and polling must not queue behind the bot's claims."""
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30})
    return make_engine(url)


def prepare(db_url: str, env: dict[str, str], run_dir: Path, chats: list[tuple[str, str]]) -> int:
    """Migrate and load knowledge as the CLI does, register every chat in one transaction, and
    queue the alert (one delivery per chat) in another; returns the alert id."""
    with (run_dir / "setup.log").open("wb") as out:
        subprocess.run(
            [*secbot_command(), "admin", "state", "list"],
            env=env,
            cwd=run_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )
    db = Database.from_url(db_url)
    try:
        with db.transaction() as session:
            for platform, chat_id in chats:
                add_channel(
                    session,
                    platform=platform,
                    chat_id=chat_id,
                    audience="all",
                    workspace=SLACK_TEAM if platform == "slack" else "",
                    title=f"bench {chat_id}",
                    by="bench",
                )
        with db.transaction() as session:
            now = utcnow()
            values = {
                "headline": "Hurricane warning for the northern islands",
                "body": "Storm surge expected within 24 hours. Follow national guidance.",
                "severity": "Severe",
                "urgency": "Immediate",
                "certainty": "Likely",
                "category": "Met",
                "audience": "all",
                "tags": "",
                "expires": "24h",
            }
            data = compose.validate(session, values, now)
            alert, _ = compose.create(
                session, data, principal=None, sender="bench", origin="cli", now=now
            )
            return alert.id
    finally:
        db.dispose()


def status_counts(engine: Engine, alert_id: int) -> Counter[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AlertDelivery.status, func.count(AlertDelivery.id))
            .where(AlertDelivery.alert_id == alert_id)
            .group_by(AlertDelivery.status)
        )
        return Counter({str(status): int(n) for status, n in rows})


@dataclass(frozen=True)
class Row:
    platform: str
    chat_id: str
    status: str
    attempts: int
    last_error: str
    worker: str


def delivery_rows(engine: Engine, alert_id: int) -> list[Row]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Channel.platform,
                Channel.chat_id,
                AlertDelivery.status,
                AlertDelivery.attempts,
                AlertDelivery.last_error,
                AlertDelivery.worker,
            )
            .join(Channel, Channel.id == AlertDelivery.channel_id)
            .where(AlertDelivery.alert_id == alert_id)
        )
        return [
            Row(str(p), str(c), str(s), int(a), str(e or ""), str(w or ""))
            for p, c, s, a, e, w in rows
        ]


# ---- waiting ----------------------------------------------------------------------------------


@dataclass
class Waiter:
    """Polls the alert's deliveries every POLL_SECONDS; gives up on timeout or when every bot
    process has died (which is itself a finding)."""

    engine: Engine
    alert_id: int
    timeout: float
    counts: Counter[str] = field(default_factory=Counter)

    def until(
        self,
        done: Callable[[Counter[str]], bool],
        bots: list[Bot],
        *,
        timeout: float | None = None,
        every: float = POLL_SECONDS,
    ) -> bool:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            self.counts = status_counts(self.engine, self.alert_id)
            if done(self.counts):
                return True
            if time.monotonic() > deadline:
                log(f"timed out waiting; deliveries by status: {dict(self.counts)}")
                return False
            if bots and not any(b.running() for b in bots):
                log(f"every bot process exited; deliveries by status: {dict(self.counts)}")
                return False
            time.sleep(every)


def finished(counts: Counter[str]) -> bool:
    return counts["pending"] + counts["sending"] == 0


# ---- measuring what the fakes received --------------------------------------------------------


def _is_this_alert(params: dict[str, Any], ack: str) -> bool:
    """The Acknowledge button carries `ack A-<id>`; quoted, so A-1 does not match A-10."""
    return f'"{ack}"' in json.dumps(params, default=str)


def platform_stats(
    calls: Sequence[TelegramCall] | Sequence[SlackCall],
    faults: dict[int, str],
    ok: Callable[[Any], bool],
    chat_of: Callable[[dict[str, Any]], str],
    ack: str,
    limit: float | None,
) -> tuple[JSON, Counter[str]]:
    """Attempts, successes, throughput and failures of one platform; and successes per chat."""
    mine = [c for c in calls if _is_this_alert(c.params, ack)]
    good = [c for c in mine if ok(c)]
    per_chat = Counter(chat_of(c.params) for c in good)
    stats: JSON = {
        "attempts": len(mine),
        "successes": len(good),
        "429_injected": sum(1 for c in mine if c.status == 429 and faults.get(id(c)) == "injected"),
        "429_flood": sum(1 for c in mine if c.status == 429 and faults.get(id(c)) == "flood"),
        "429_total": sum(1 for c in mine if c.status == 429),
        "5xx": sum(1 for c in mine if c.status >= 500),
        "per_s": None,
        "span_s": None,
    }
    stats["first_attempt_at"] = min((c.at for c in mine), default=None)
    if good:
        span = max(c.at for c in good) - min(c.at for c in mine)
        stats["span_s"] = round(span, 3)
        if span > 0:
            stats["per_s"] = round(len(good) / span, 2)
            if limit:
                stats["ratio_of_limit"] = round(len(good) / span / limit, 3)
    elif limit:
        stats["ratio_of_limit"] = None
    return stats, per_chat


def _telegram_ok(call: TelegramCall) -> bool:
    return call.status == 200


def _slack_ok(call: SlackCall) -> bool:
    return call.status == 200 and bool(call.response and call.response.get("ok"))


def measure(
    alert_id: int,
    telegram: BenchTelegram,
    slack: BenchSlack,
    rows: list[Row],
) -> JSON:
    ack = f"ack {show_id(alert_id)}"
    tg, tg_chats = platform_stats(
        telegram.calls_to("sendMessage"),
        telegram.faults,
        _telegram_ok,
        lambda p: str(p.get("chat_id")),
        ack,
        TELEGRAM_LIMIT,
    )
    sl, sl_chats = platform_stats(
        slack.calls_to("chat.postMessage"),
        slack.faults,
        _slack_ok,
        lambda p: str(p.get("channel")),
        ack,
        None,
    )
    received = {"telegram": tg_chats, "slack": sl_chats}
    duplicates = {p: sum(n - 1 for n in chats.values() if n > 1) for p, chats in received.items()}
    zero = [r for r in rows if received[r.platform][r.chat_id] == 0]
    # A delivery that failed for good (bot removed, chat gone) is an answer, not a loss; giving
    # up after max attempts is a loss. With no blocked chats in this benchmark, expect neither.
    lost = [
        r for r in zero if not (r.status == "failed" and not r.last_error.startswith("gave up"))
    ]
    statuses = Counter(r.status for r in rows)
    return {
        "total": len(rows),
        "completed": statuses["sent"],
        "failed": statuses["failed"],
        "outstanding": statuses["pending"] + statuses["sending"],
        "duplicates": sum(duplicates.values()),
        "duplicates_by_platform": duplicates,
        "duplicated_chats": sorted(
            f"{p}:{c}" for p, chats in received.items() for c, n in chats.items() if n > 1
        )[:20],
        "zero_success": len(zero),
        "lost": len(lost),
        "lost_examples": [
            {
                "chat": f"{r.platform}:{r.chat_id}",
                "status": r.status,
                "attempts": r.attempts,
                "last_error": r.last_error,
            }
            for r in lost[:10]
        ],
        "db_attempts": sum(r.attempts for r in rows),
        # host:pid:token of the process that last claimed each delivery: is the load shared?
        "sent_by_worker": dict(Counter(r.worker for r in rows if r.status == "sent")),
        "telegram": tg,
        "slack": sl,
    }


# ---- scenarios --------------------------------------------------------------------------------


def run_scenario(name: str, cfg: Config) -> JSON:
    database = "postgresql" if name == "pg-two-workers" else cfg.database
    run_dir = cfg.data_dir / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    result: JSON = {"scenario": name, "database": database, "run_dir": str(run_dir)}
    bots: list[Bot] = []
    with ExitStack() as stack:
        if database == "postgresql":
            schema, db_url = create_schema(cfg.pg_url)
            stack.callback(drop_schema, cfg.pg_url, schema)
            result["schema"] = schema
        else:
            db_url = f"sqlite:///{(run_dir / 'secbot.sqlite3').resolve()}"
        telegram = stack.enter_context(BenchTelegram())
        slack = stack.enter_context(BenchSlack())
        telegram.chaos(p_429=0.05, p_5xx=0.02, seed=cfg.seed, methods=["sendMessage"])
        slack.chaos(p_429=0.05, p_5xx=0.02, seed=cfg.seed + 1, methods=["chat.postMessage"])
        for channel in slack_channels(cfg.slack):
            slack.add_channel(channel)
        chats = [("telegram", c) for c in telegram_chats(cfg.telegram)]
        chats += [("slack", c) for c in slack_channels(cfg.slack)]
        env = bot_env(db_url, run_dir / "data", telegram, slack)
        t0 = time.perf_counter()
        alert_id = prepare(db_url, env, run_dir, chats)
        result["setup_s"] = round(time.perf_counter() - t0, 2)
        result["alert_id"] = alert_id
        engine = reader(db_url)
        stack.callback(engine.dispose)
        waiter = Waiter(engine, alert_id, cfg.timeout)
        log(f"{name}: {len(chats)} deliveries queued on {database} ({result['setup_s']} s)")
        try:
            result.update(drive(name, cfg, env, run_dir, waiter, bots))
        finally:
            for bot in bots:
                bot.kill_if_running()
        result.update(measure(alert_id, telegram, slack, delivery_rows(engine, alert_id)))
    result["bots"] = [
        {"label": b.label, "exit_code": b.exit_code, "stop_s": b.stop_s, **b.log_summary()}
        for b in bots
    ]
    firsts = [result[p]["first_attempt_at"] for p in ("telegram", "slack")]
    if bots and any(firsts):
        first = min(f for f in firsts if f)
        result["first_send_after_start_s"] = round(first - bots[0].started, 2)
    result["problems"] = problems(name, result)
    result["ok"] = not result["problems"]
    return result


def drive(
    name: str, cfg: Config, env: dict[str, str], run_dir: Path, waiter: Waiter, bots: list[Bot]
) -> JSON:
    """Start, interrupt and restart the bot as the scenario says; `bots` collects every process
    (the caller kills leftovers). Returns timings and what the interruption left behind."""
    out: JSON = {"timed_out": False}
    if name == "pg-two-workers":
        bots += [Bot.start(f"worker{i}", "dispatch", env, run_dir) for i in (1, 2)]
        out["bot"] = "secbot dispatch x2"
    else:
        bots.append(Bot.start("bot1", "serve", env, run_dir))
        out["bot"] = "secbot serve"
    started = bots[0].started
    if name in ("sigterm", "sigkill"):
        half = max(1, cfg.total // 2)
        sig = signal.SIGTERM if name == "sigterm" else signal.SIGKILL
        reached = waiter.until(lambda c: c["sent"] >= half or finished(c), bots)
        # Interrupt while sends are in flight if that happens soon: that is what is under test.
        caught = waiter.until(
            lambda c: c["sending"] > 0 or finished(c), bots, timeout=3, every=0.005
        )
        sent_at_signal = waiter.counts["sent"]
        bots[0].stop(sig)
        after = status_counts(waiter.engine, waiter.alert_id)
        out["interrupt"] = {
            "signal": sig.name,
            "reached_half": reached,
            "sending_seen_before_signal": waiter.counts["sending"] if caught else 0,
            "sent_before_signal": sent_at_signal,
            "sent_after_exit": after["sent"],
            "sending_after_exit": after["sending"],
            "exit_code": bots[0].exit_code,
            "stop_s": bots[0].stop_s,
        }
        if name == "sigkill":
            out["in_flight_at_kill"] = after["sending"]
        bots.append(Bot.start("bot2", "serve", env, run_dir))
    live = [b for b in bots if b.running()]
    done = waiter.until(finished, live)
    done_at = time.time()
    out["timed_out"] = not done
    out["final_counts"] = dict(waiter.counts)
    for bot in live:
        bot.stop(signal.SIGTERM)
    out["wall_s"] = round(done_at - started, 2)
    out["active_s"] = round(
        union_s([(b.started, min(b.ended or done_at, done_at)) for b in bots]), 2
    )
    out["final_stop"] = [{"exit_code": b.exit_code, "stop_s": b.stop_s} for b in live]
    return out


def union_s(spans: list[tuple[float, float]]) -> float:
    """Seconds during which at least one bot process ran (two workers at once count once)."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def problems(name: str, r: JSON) -> list[str]:
    found = []
    if r.get("timed_out"):
        found.append(f"not done: {r.get('final_counts')}")
    if r["lost"]:
        found.append(f"{r['lost']} lost deliveries")
    if name in NO_DUPLICATES and r["duplicates"]:
        found.append(f"{r['duplicates']} duplicates")
    if name == "sigkill" and r["duplicates"] > r.get("in_flight_at_kill", 0):
        found.append(
            f"{r['duplicates']} duplicates > {r.get('in_flight_at_kill', 0)} in flight at the kill"
        )
    return found


def skipped(name: str, database: str, reason: str) -> JSON:
    return {"scenario": name, "database": database, "skipped": reason, "ok": True, "problems": []}


# ---- report -----------------------------------------------------------------------------------


def _get(r: JSON, *path: str) -> Any:
    value: Any = r
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def _pair(a: Any, b: Any) -> str:
    return f"{'-' if a is None else a}/{'-' if b is None else b}"


TABLE: list[tuple[str, Callable[[JSON], Any]]] = [
    ("database", lambda r: r["database"]),
    ("deliveries", lambda r: r.get("total")),
    ("completed (DB sent)", lambda r: r.get("completed")),
    ("failed (DB)", lambda r: r.get("failed")),
    ("duplicates (fakes)", lambda r: r.get("duplicates")),
    ("lost (fakes)", lambda r: r.get("lost")),
    ("in flight at kill", lambda r: r.get("in_flight_at_kill")),
    (
        "interrupt exit/stop s",
        lambda r: _pair(_get(r, "interrupt", "exit_code"), _get(r, "interrupt", "stop_s")),
    ),
    ("sending after interrupt", lambda r: _get(r, "interrupt", "sending_after_exit")),
    (
        "final exit/stop s",
        lambda r: (
            " ".join(_pair(s["exit_code"], s["stop_s"]) for s in r.get("final_stop", [])) or None
        ),
    ),
    ("wall s (start→done)", lambda r: r.get("wall_s")),
    ("bot active s", lambda r: r.get("active_s")),
    ("first send after start s", lambda r: r.get("first_send_after_start_s")),
    ("telegram msgs/s", lambda r: _get(r, "telegram", "per_s")),
    ("telegram ratio of 30/s", lambda r: _get(r, "telegram", "ratio_of_limit")),
    ("slack msgs/s", lambda r: _get(r, "slack", "per_s")),
    ("tg attempts", lambda r: _get(r, "telegram", "attempts")),
    (
        "tg 429 injected/flood",
        lambda r: _pair(_get(r, "telegram", "429_injected"), _get(r, "telegram", "429_flood")),
    ),
    ("tg 5xx", lambda r: _get(r, "telegram", "5xx")),
    ("slack attempts", lambda r: _get(r, "slack", "attempts")),
    (
        "slack 429 injected/flood",
        lambda r: _pair(_get(r, "slack", "429_injected"), _get(r, "slack", "429_flood")),
    ),
    ("slack 5xx", lambda r: _get(r, "slack", "5xx")),
    (
        "log errors/warnings",
        lambda r: " ".join(_pair(b["errors"], b["warnings"]) for b in r.get("bots", [])) or None,
    ),
    ("verdict", lambda r: "skipped" if r.get("skipped") else ("OK" if r["ok"] else "FAIL")),
]


def render(results: JSON) -> str:
    runs: list[JSON] = list(results["scenarios"].values())
    width = max(14, *(len(r["scenario"]) + 2 for r in runs))
    head = f"{'':<26}" + "".join(f"{r['scenario']:>{width}}" for r in runs)
    lines = [head, "-" * len(head)]
    for label, pick in TABLE:
        cells = []
        for r in runs:
            try:
                value = pick(r)
            except (KeyError, TypeError):
                value = None
            cells.append(f"{'-' if value is None else value!s:>{width}}")
        lines.append(f"{label:<26}" + "".join(cells))
    for r in runs:
        if r.get("skipped"):
            lines.append(f"{r['scenario']}: skipped ({r['skipped']})")
        for problem in r.get("problems", []):
            lines.append(f"{r['scenario']}: PROBLEM {problem}")
    lines.append(f"overall: {'OK' if results['ok'] else 'FAIL'}; total wall {results['wall_s']} s")
    return "\n".join(lines)


# ---- entry point ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--telegram", type=int, default=800, help="Telegram groups")
    parser.add_argument("--slack", type=int, default=200, help="Slack channels")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma list of {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("SECBOT_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "alerts.json")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=REPO / "var" / "bench" / "alerts-run",
        help="run directories (databases, bot logs) go here, one a scenario",
    )
    parser.add_argument("--seed", type=int, default=7, help="chaos seed")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds to wait for each phase"
    )
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in names if s not in SCENARIOS]
    if unknown or not names:
        parser.error(f"unknown scenario(s) {unknown}; choose from {', '.join(SCENARIOS)}")
    if args.telegram < 0 or args.slack < 0 or args.telegram + args.slack == 0:
        parser.error("need at least one chat")
    args.scenario_list = names
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    cfg = Config(
        telegram=args.telegram,
        slack=args.slack,
        database=args.database,
        data_dir=args.data_dir.resolve(),
        seed=args.seed,
        pg_url=args.pg_url,
        timeout=args.timeout,
    )
    started = time.perf_counter()
    pg_problem = (
        pg_reachable(cfg.pg_url)
        if (cfg.database == "postgresql" or "pg-two-workers" in args.scenario_list)
        else None
    )
    runs: dict[str, JSON] = {}
    for name in args.scenario_list:
        database = "postgresql" if name == "pg-two-workers" else cfg.database
        if database == "postgresql" and pg_problem:
            log(f"{name}: skipped, PostgreSQL not reachable ({pg_problem})")
            runs[name] = skipped(name, database, f"PostgreSQL not reachable: {pg_problem}")
            continue
        log(f"{name}: starting")
        runs[name] = run_scenario(name, cfg)
        log(f"{name}: {'OK' if runs[name]['ok'] else 'FAIL ' + '; '.join(runs[name]['problems'])}")
    results: JSON = {
        "config": {
            "telegram": cfg.telegram,
            "slack": cfg.slack,
            "database": cfg.database,
            "seed": cfg.seed,
            "chaos": {"p_429": 0.05, "p_5xx": 0.02},
            "fake_limits": {
                "telegram_per_s": TELEGRAM_LIMIT,
                "telegram_group_per_min": 20,
                "slack_channel_per_s": 1,
            },
            "lease_seconds": LEASE_SECONDS,
            "shutdown_grace_seconds": GRACE_SECONDS,
            "cpus": os.cpu_count(),
        },
        "scenarios": runs,
        "ok": all(r["ok"] for r in runs.values()),
        "wall_s": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(render(results))
    print(f"results: {args.out}")
    return results


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
