#!/usr/bin/env python
"""Chaos benchmark for the durable inbox: N one-line reports through each transport while the
real bot process (`secbot serve`) is SIGKILLed and restarted K times at random moments.

    .venv/bin/python scripts/bench_chaos.py                         # 200 reports, 5 kills each
    .venv/bin/python scripts/bench_chaos.py --database postgresql
    .venv/bin/python scripts/bench_chaos.py --reports 30 --kills 2 --transports slack-http

Transports, each against the local fakes of tests/fakes (run in this process):
- telegram-polling: reports are pushed to the fake Bot API and fetched by getUpdates; the
  platform counts one as acknowledged once the bot's next offset has confirmed it.
- telegram-webhook: reports are POSTed to the bot's webhook; acknowledged by a 200. A refused
  or broken request is sent again until it is answered, as Telegram retries.
- slack-http: signed Events API requests; acknowledged by a 200, retried otherwise.
- slack-socket: Socket Mode envelopes; acknowledged by the envelope ack; an envelope never
  acknowledged is delivered again after the bot reconnects, as Slack does.

Counted from what the platforms saw and what the database holds (one incident per report
text): sent, acknowledged by the platform, filed, lost (acknowledged but not filed), duplicated
(filed more than once), and duplicated replies (a report's "Filed" reply sent twice: the window
between a reply reaching the platform and being marked sent). It also measures what the inbox
costs in reply latency, in this process: a one-line report handled by the engine directly, and
the same through the inbox (stored, claimed, handled, reply delivered). Exits non-zero on any
lost or duplicated report. Results go to var/bench/chaos.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO / "src", REPO, REPO / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import bench_alerts as kit  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from tests.fakes import slack_server as slack_requests  # noqa: E402
from tests.fakes.slack_server import FakeSlackServer  # noqa: E402
from tests.fakes.slack_socket import FakeSocketMode  # noqa: E402
from tests.fakes.telegram_server import FakeTelegramServer  # noqa: E402

from secbot.db.session import Database  # noqa: E402
from secbot.domain.clock import utcnow  # noqa: E402
from secbot.domain.enums import ChatKind, Role  # noqa: E402
from secbot.engine.engine import Engine  # noqa: E402
from secbot.engine.messages import Inbound, Reply  # noqa: E402
from secbot.identity.invites import create_invite  # noqa: E402
from secbot.inbox.intake import Intake  # noqa: E402
from secbot.inbox.store import Arrival, Entry  # noqa: E402
from secbot.inbox.worker import InboxWorker  # noqa: E402

JSON = dict[str, Any]
TRANSPORTS = ("telegram-polling", "telegram-webhook", "slack-http", "slack-socket")
TOKEN_TG, TOKEN_SLACK, APP_TOKEN = "123:abc", "xoxb-chaos", "xapp-1-chaos"
WEBHOOK_SECRET = "chaos-webhook-secret-0123"
SIGNING_SECRET = "chaos-signing-secret-0123"
TEAM = "T0FAKETEAM"
REPORT = re.compile(r"chaos report (\d{4})")


def word_for(number: int) -> str:
    """A word only this report has: templated reports that differ only in a number are held by
    the similar-report check as one event, and this bench counts filings, not holds."""
    return "q" + "".join("abcdefghij"[int(d)] for d in f"{number:04d}")


def log(message: str) -> None:
    print(f"[bench_chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- one transport under chaos -------------------------------------------------------------


class Run:
    """One transport: the fakes, the bot process (restarted after each kill) and the sender."""

    def __init__(self, transport: str, db_url: str, run_dir: Path, args: argparse.Namespace):
        self.transport, self.db_url, self.run_dir, self.args = transport, db_url, run_dir, args
        self.rng = random.Random(args.seed)
        self.stack = ExitStack()
        self.telegram = self.stack.enter_context(FakeTelegramServer(token=TOKEN_TG))
        self.slack = self.stack.enter_context(FakeSlackServer())
        self.socket = self.stack.enter_context(FakeSocketMode())
        self.slack.socket_mode_url = self.socket.url
        self.port = free_port()
        self.bot: kit.Bot | None = None
        self.restarts = 0
        self.acked: set[int] = set()
        self.pushed: dict[int, int] = {}  # report number -> Telegram update id
        self.envelopes: dict[str, int] = {}  # Socket Mode envelope -> report number
        self.users = [f"{9000 + n}" for n in range(args.users)]
        self.lock = threading.Lock()

    # -- the bot ------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = kit.bot_env(self.db_url, self.run_dir / "data", self.telegram, self.slack)
        for key in (
            "SECBOT_TELEGRAM_TOKEN",
            "SECBOT_SLACK_BOT_TOKEN",
            "SECBOT_SLACK_SIGNING_SECRET",
        ):
            env.pop(key, None)
        env.update(
            SECBOT_HTTP_PORT=str(self.port),
            SECBOT_DISPATCH_ENABLED="false",
            SECBOT_INBOX_LEASE_SECONDS="3",
        )
        if self.transport.startswith("telegram"):
            env["SECBOT_TELEGRAM_TOKEN"] = TOKEN_TG
            if self.transport == "telegram-webhook":
                env["SECBOT_TELEGRAM_WEBHOOK_URL"] = "https://bench.invalid/tg"
                env["SECBOT_TELEGRAM_WEBHOOK_SECRET"] = WEBHOOK_SECRET
        else:
            env["SECBOT_SLACK_BOT_TOKEN"] = TOKEN_SLACK
            if self.transport == "slack-socket":
                env["SECBOT_SLACK_APP_TOKEN"] = APP_TOKEN
            else:
                env["SECBOT_SLACK_SIGNING_SECRET"] = SIGNING_SECRET
        return env

    def start_bot(self) -> None:
        label = f"{self.transport}-{self.restarts}"
        self.bot = kit.Bot.start(label, "serve", self.env(), self.run_dir)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.transport == "slack-socket":
                with self.socket._cond:
                    if self.socket._sockets:
                        return
            else:
                try:
                    health = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).json()
                    if "up" in health.get("transports", {}).values():
                        return
                except (httpx.HTTPError, ValueError):
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"{label} did not become ready")

    def kill_and_restart(self) -> None:
        assert self.bot is not None
        self.bot.stop(signal.SIGKILL)
        self.restarts += 1
        self.start_bot()
        if self.transport == "slack-socket":
            self.socket.redeliver_unacked()

    # -- sending ------------------------------------------------------------------------------
    def send(self, user: str, text: str, number: int | None, key: str) -> None:
        if self.transport == "telegram-polling":
            update_id = self.telegram.push_message(int(user), int(user), text)
            if number is not None:
                self.pushed[number] = update_id
        elif self.transport == "telegram-webhook":
            update = {
                "update_id": int(key),
                "message": {
                    "message_id": int(key),
                    "date": int(time.time()),
                    "chat": {"id": int(user), "type": "private", "first_name": user},
                    "from": {"id": int(user), "is_bot": False, "first_name": user},
                    "text": text,
                },
            }
            self._post_until_ok(
                "/tg",
                json.dumps(update).encode(),
                {
                    "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                    "Content-Type": "application/json",
                },
                number,
            )
        elif self.transport == "slack-http":
            body = slack_requests.event_message(TEAM, f"D{user}", f"U{user}", text, event_id=key)
            self._post_until_ok("/slack/events", body, None, number, signed=True)
        else:
            envelope = self.socket.send_http_body(
                slack_requests.event_message(TEAM, f"D{user}", f"U{user}", text, event_id=key)
            )
            if number is not None:
                with self.lock:
                    self.envelopes[envelope] = number

    def _post_until_ok(
        self,
        path: str,
        body: bytes,
        headers: dict[str, str] | None,
        number: int | None,
        signed: bool = False,
    ) -> None:
        while True:
            sent_headers = (
                slack_requests.signed_headers(body, SIGNING_SECRET) if signed else headers
            )
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{self.port}{path}",
                    content=body,
                    headers=sent_headers,
                    timeout=10,
                )
                if response.status_code == 200:
                    if number is not None:
                        with self.lock:
                            self.acked.add(number)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)  # the platform retries

    # -- the whole run ------------------------------------------------------------------------
    def join_everyone(self) -> None:
        db = Database.from_url(self.db_url)
        with db.transaction() as session:
            codes = [
                create_invite(
                    session,
                    role=Role.FOCAL_POINT,
                    state_code="BRB",
                    created_by="bench",
                    ttl=timedelta(hours=2),
                    now=utcnow(),
                )
                for _ in self.users
            ]
        db.dispose()
        for n, (user, code) in enumerate(zip(self.users, codes, strict=True)):
            self.send(user, f"join {code}", None, f"{1_000_000 + n}")
        deadline = time.time() + 60
        while time.time() < deadline and self.welcomes() < len(self.users):
            time.sleep(0.2)
        if self.welcomes() < len(self.users):
            raise RuntimeError("not everyone could join")

    def welcomes(self) -> int:
        return sum("Welcome" in t for t in self.replies())

    def replies(self) -> list[str]:
        if self.transport.startswith("telegram"):
            return [
                str(c.params.get("text", ""))
                for c in self.telegram.calls_to("sendMessage")
                if c.status == 200
            ]
        return [
            str(c.params.get("text", ""))
            for c in self.slack.calls_to("chat.postMessage")
            if c.status == 200
        ]

    def run(self) -> JSON:
        args = self.args
        started = time.time()
        try:
            self.start_bot()
            self.join_everyone()
            spacing = args.seconds / args.reports
            kill_at = sorted(self.rng.uniform(0.05, 0.95) * args.seconds for _ in range(args.kills))
            killer = threading.Thread(target=self._chaos, args=(kill_at,), daemon=True)
            t0 = time.time()
            self._t0 = t0
            killer.start()
            for number in range(args.reports):
                user = self.users[number % len(self.users)]
                text_ = f"report chaos report {number:04d} over {self.transport} {word_for(number)}"
                self.send(user, text_, number, f"{2_000_000 + number}")
                time.sleep(max(0.0, t0 + (number + 1) * spacing - time.time()))
            killer.join()
            if self.transport == "slack-socket":
                deadline = time.time() + 60
                while self.socket.unacked() and time.time() < deadline:
                    self.socket.redeliver_unacked()
                    time.sleep(1.0)
            filed = self.wait_filed(args.reports, timeout=args.timeout)
        finally:
            if self.bot is not None:
                self.bot.stop(signal.SIGTERM)
            result = self.measure(started)
            self.stack.close()
        result["filed_before_stop"] = filed
        return result

    def _chaos(self, kill_at: list[float]) -> None:
        for moment in kill_at:
            time.sleep(max(0.0, self._t0 + moment - time.time()))
            log(f"{self.transport}: SIGKILL at {time.time() - self._t0:.1f} s")
            self.kill_and_restart()

    def filed_counts(self) -> Counter[int]:
        engine = kit.reader(self.db_url)
        with engine.connect() as conn:
            rows = conn.execute(text("select description from incidents")).scalars().all()
        engine.dispose()
        found: Counter[int] = Counter()
        for description in rows:
            match = REPORT.search(str(description))
            if match:
                found[int(match.group(1))] += 1
        return found

    def wait_filed(self, wanted: int, timeout: float) -> int:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.filed_counts()) >= wanted:
                break
            time.sleep(0.5)
        time.sleep(1.0)  # replies of the last ones
        return len(self.filed_counts())

    def measure(self, started: float) -> JSON:
        reports = self.args.reports
        filed = self.filed_counts()
        if self.transport == "telegram-polling":  # what no getUpdates offset has confirmed
            pending = {int(u["update_id"]) for u in self.telegram._pending}
            acked = {n for n, u in self.pushed.items() if u not in pending}
        elif self.transport == "slack-socket":
            with self.lock:
                acked = {n for e, n in self.envelopes.items() if e in self.socket.acks}
        else:
            acked = set(self.acked)
        replies = Counter(
            m.group(0) for t in self.replies() if (m := re.search(r"Filed [A-Z]{3}-\d{4}", t))
        )
        return {
            "transport": self.transport,
            "sent": reports,
            "acknowledged": len(acked),
            "filed": len(filed),
            "lost": len([n for n in acked if n not in filed]),
            "duplicated": sum(c - 1 for c in filed.values() if c > 1),
            "replies_duplicated": sum(c - 1 for c in replies.values() if c > 1),
            "kills": self.restarts,
            "wall_s": round(time.time() - started, 1),
        }


# ---- what the inbox costs -------------------------------------------------------------------


def latency(db_url: str, samples: int) -> JSON:
    """A one-line report, handled directly by the engine and through the inbox, alternating,
    in this process and on the same database; milliseconds to the reply."""
    db = Database.from_url(db_url)
    engine = Engine(db)
    with db.transaction() as session:
        code = create_invite(
            session,
            role=Role.FOCAL_POINT,
            state_code="BRB",
            created_by="bench",
            ttl=timedelta(hours=1),
            now=utcnow(),
        )
    engine.handle(Inbound("console", "", "lat", "lat", ChatKind.DIRECT, text=f"join {code}"))
    worker = InboxWorker(db, engine, poll=0.5)
    intake = Intake(db, engine, worker)
    delivered: dict[str, asyncio.Future[list[Reply]]] = {}

    async def deliver(entry: Entry, replies: list[Reply]) -> None:
        delivered[entry.key].set_result(replies)

    worker.add_transport("console", deliver)
    direct_ms: list[float] = []
    inbox_ms: list[float] = []

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        for n in range(samples):
            inbound = Inbound(
                "console",
                "",
                "lat",
                "lat",
                ChatKind.DIRECT,
                text=f"report latency sample {n} seen at the pier {word_for(n)}",
                message_key=f"lat-d-{n}",
            )
            t = time.perf_counter()
            await asyncio.to_thread(engine.handle, inbound)
            direct_ms.append((time.perf_counter() - t) * 1000)
            key = f"lat-i-{n}"
            delivered[key] = asyncio.get_running_loop().create_future()
            t = time.perf_counter()
            await intake.accept(
                [
                    Arrival(
                        key,
                        Inbound(
                            "console",
                            "",
                            "lat",
                            "lat",
                            ChatKind.DIRECT,
                            text=f"report latency sample {n} through the inbox {word_for(n)}",
                            message_key=key,
                        ),
                    )
                ]
            )
            await delivered[key]
            inbox_ms.append((time.perf_counter() - t) * 1000)
        stop.set()
        await running

    asyncio.run(main())
    db.dispose()

    def pct(values: list[float], q: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(q) - 1], 1)

    result = {
        "samples": samples,
        "direct_p50_ms": pct(direct_ms, 50),
        "direct_p95_ms": pct(direct_ms, 95),
        "inbox_p50_ms": pct(inbox_ms, 50),
        "inbox_p95_ms": pct(inbox_ms, 95),
    }
    result["p50_ratio"] = round(result["inbox_p50_ms"] / result["direct_p50_ms"], 2)
    result["p95_ratio"] = round(result["inbox_p95_ms"] / result["direct_p95_ms"], 2)
    return result


# ---- the benchmark --------------------------------------------------------------------------


def database_url(kind: str, run_dir: Path, pg_url: str, cleanup: list[Callable[[], None]]) -> str:
    if kind == "sqlite":
        return f"sqlite:///{run_dir / 'data' / 'secbot.sqlite3'}"
    schema, url = kit.create_schema(pg_url)
    cleanup.append(lambda: kit.drop_schema(pg_url, schema))
    return url


def prepare(db_url: str, run_dir: Path) -> None:
    """Migrate and load knowledge as the CLI does (the bot does it again at each start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECBOT_")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
        SECBOT_DATABASE_URL=db_url,
        SECBOT_DATA_DIR=str(run_dir / "data"),
        SECBOT_KNOWLEDGE_DIR=str(REPO / "knowledge"),
        SECBOT_EMBEDDINGS="hashing",
    )
    subprocess.run(
        [*kit.secbot_command(), "admin", "state", "list"],
        env=env,
        cwd=run_dir,
        check=True,
        capture_output=True,
        timeout=300,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the sending takes")
    parser.add_argument("--transports", default=",".join(TRANSPORTS))
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--pg-url", default=os.environ.get("SECBOT_TEST_DATABASE_URL") or kit.DEFAULT_PG
    )
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "bench" / "chaos")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "chaos.json")
    return parser.parse_args(argv)


def render(results: JSON) -> str:
    head = (
        f"{'transport':<18}{'sent':>6}{'acked':>7}{'filed':>7}{'lost':>6}{'dup':>5}"
        f"{'dup replies':>13}{'kills':>7}{'wall s':>8}"
    )
    lines = [f"database: {results['database']}", head]
    for r in results["runs"]:
        lines.append(
            f"{r['transport']:<18}{r['sent']:>6}{r['acknowledged']:>7}{r['filed']:>7}"
            f"{r['lost']:>6}{r['duplicated']:>5}{r['replies_duplicated']:>13}{r['kills']:>7}"
            f"{r['wall_s']:>8}"
        )
    lat = results.get("latency")
    if lat:
        lines.append(
            f"one-line report, ms: direct p50 {lat['direct_p50_ms']} p95 {lat['direct_p95_ms']}; "
            f"inbox p50 {lat['inbox_p50_ms']} p95 {lat['inbox_p95_ms']} "
            f"(x{lat['p50_ratio']} / x{lat['p95_ratio']})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> JSON:
    args = parse_args(argv)
    if args.database == "postgresql" and (why := kit.pg_reachable(args.pg_url)):
        raise SystemExit(f"PostgreSQL is not reachable at {args.pg_url}: {why}")
    results: JSON = {
        "database": args.database,
        "runs": [],
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    cleanup: list[Callable[[], None]] = []
    try:
        for transport in [t.strip() for t in args.transports.split(",") if t.strip()]:
            run_dir = args.data_dir / f"{args.database}-{transport}"
            if run_dir.exists():
                import shutil

                shutil.rmtree(run_dir)
            (run_dir / "data").mkdir(parents=True)
            url = database_url(args.database, run_dir, args.pg_url, cleanup)
            prepare(url, run_dir)
            log(f"{transport}: {args.reports} reports, {args.kills} SIGKILLs")
            results["runs"].append(Run(transport, url, run_dir, args).run())
            log(json.dumps(results["runs"][-1]))
        if args.latency_samples:
            run_dir = args.data_dir / f"{args.database}-latency"
            (run_dir / "data").mkdir(parents=True, exist_ok=True)
            url = database_url(args.database, run_dir, args.pg_url, cleanup)
            if args.database == "sqlite" and (run_dir / "data" / "secbot.sqlite3").exists():
                (run_dir / "data" / "secbot.sqlite3").unlink()
            prepare(url, run_dir)
            results["latency"] = latency(url, args.latency_samples)
    finally:
        for undo in cleanup:
            undo()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(render(results))
    bad = [r for r in results["runs"] if r["lost"] or r["duplicated"]]
    if bad and argv is None:
        raise SystemExit(1)
    return results


if __name__ == "__main__":
    main()
