"""`secbot serve`: every configured transport in one process, an HTTP server when needed,
structured logs, retry with backoff for a platform that fails to connect, graceful SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from secbot.alerts.dispatcher import Dispatcher
from secbot.entrypoints.bootstrap import App, compactor
from secbot.entrypoints.brief_scheduler import run_brief_scheduler
from secbot.entrypoints.dispatch import build_dispatcher
from secbot.entrypoints.retention_job import run_retention
from secbot.inbox.intake import Intake
from secbot.inbox.worker import InboxWorker
from secbot.rights.retention import Periods
from secbot.transports.http import HttpServer

log = logging.getLogger("secbot.serve")


class Transport(Protocol):
    async def start(self) -> None: ...
    async def pause(self) -> None: ...
    async def stop(self) -> None: ...


class JsonFormatter(logging.Formatter):
    """One JSON object a line: easy to ship, easy to grep."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("platform", "attempt", "delay", "host", "port", "error"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@dataclass
class Supervisor:
    """Starts a transport, retrying with exponential backoff; the others keep working."""

    name: str
    transport: Transport
    status: dict[str, str]
    max_delay: float = 60.0
    started: bool = False
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    def launch(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        delay, attempt = 1.0, 1
        while True:
            try:
                await self.transport.start()
                self.started = True
                self.status[self.name] = "up"
                log.info("transport up", extra={"platform": self.name, "attempt": attempt})
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.status[self.name] = f"retrying: {type(error).__name__}"
                log.warning(
                    "transport failed to connect; retrying",
                    extra={
                        "platform": self.name,
                        "attempt": attempt,
                        "delay": delay,
                        "error": str(error),
                    },
                )
                await asyncio.sleep(delay)
                delay, attempt = min(delay * 2, self.max_delay), attempt + 1

    async def pause(self) -> None:
        """No new messages in; what is stored is still answered."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self.started:
            await self.transport.pause()

    async def stop(self) -> None:
        await self.pause()
        if self.started:
            await self.transport.stop()
        self.status[self.name] = "stopped"


def _repair_index(app: App) -> object:
    """After a console upload or removal: this process's index follows SQL (waits for it to
    load first), as `secbot ingest` does."""
    index = app.index
    return index.repair() if index is not None else None


async def run_dispatcher(
    dispatcher: Dispatcher, stop: asyncio.Event, max_delay: float = 60.0
) -> None:
    """Keep the dispatcher running until `stop`; a platform that is down is retried with backoff."""
    delay = 1.0
    while not stop.is_set():
        try:
            await dispatcher.run(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning(
                "dispatcher failed; restarting", extra={"delay": delay, "error": str(error)}
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, max_delay)


async def serve(
    app: App,
    stop: asyncio.Event | None = None,
    ready: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
) -> None:
    settings = app.settings
    worker = InboxWorker(app.db, app.engine, lease=settings.inbox_lease_seconds)
    intake = Intake(app.db, app.engine, worker)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    status: dict[str, str] = {}
    supervisors: list[Supervisor] = []
    http = HttpServer(
        settings.http_host, settings.http_port, lambda: {"status": "ok", "transports": status}
    )
    if settings.telegram_token is not None:
        from secbot.transports.telegram import TelegramTransport

        telegram = TelegramTransport(settings, intake)
        if settings.telegram_webhook_url:
            if settings.telegram_webhook_secret is None:
                raise ValueError("webhook mode needs SECBOT_TELEGRAM_WEBHOOK_SECRET")
            http.add_telegram(
                settings.telegram_webhook_url,
                settings.telegram_webhook_secret.get_secret_value(),
                telegram.feed,
            )
        supervisors.append(Supervisor("telegram", telegram, status))
    if settings.slack_bot_token is not None:
        from secbot.transports.slack import SlackTransport

        slack = SlackTransport(settings, intake)
        if settings.slack_app_token is None:
            if settings.slack_signing_secret is None:
                raise ValueError("the Slack events endpoint needs SECBOT_SLACK_SIGNING_SECRET")
            http.add_post("/slack/events", slack.handle_http)
        supervisors.append(Supervisor("slack", slack, status))
    if settings.web_url is not None:
        from secbot.web.app import mount

        mount(
            http.app,
            app.db,
            settings.web_url,
            clock=lambda: app.clock(),
            cap=(settings.cap_sender, settings.cap_sender_name),
            knowledge=(settings.data_dir / "uploads", lambda: _repair_index(app)),
        )
    worker_stop = asyncio.Event()
    working = asyncio.create_task(worker.run(worker_stop, drain=settings.shutdown_grace_seconds))
    if settings.needs_http or supervisors:
        await http.start()
    for supervisor in supervisors:
        status[supervisor.name] = "starting"
        supervisor.launch()
    dispatcher = build_dispatcher(settings, app.db) if settings.dispatch_enabled else None
    dispatch_stop = asyncio.Event()
    dispatching = (
        asyncio.create_task(run_dispatcher(dispatcher, dispatch_stop)) if dispatcher else None
    )
    scheduling = asyncio.create_task(
        run_brief_scheduler(
            app.db,
            dispatch_stop,
            clock=lambda: app.clock(),
            interval=settings.brief_check_seconds,
        )
    )
    retaining = asyncio.create_task(
        run_retention(
            app.db,
            dispatch_stop,
            periods=Periods.from_settings(settings),
            clock=lambda: app.clock(),
            compactor=compactor(settings, app.db, app.knowledge),
            interval=settings.retention_check_seconds,
        )
    )
    if app.knowledge is not None:
        app.knowledge.start()  # after the transports: questions wait for it, nothing else does
    if ready is not None:
        await ready({"port": http.bound_port, "status": status})
    await stop.wait()
    log.info("stopping: finishing messages in flight")
    await http.stop()  # no new webhook or Slack requests; in-flight ones complete
    dispatch_stop.set()  # no new briefs queued, no new claims
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(scheduling, settings.shutdown_grace_seconds)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(retaining, settings.shutdown_grace_seconds)
    if dispatching is not None:
        # alerts being sent finish and are recorded
        try:
            await asyncio.wait_for(dispatching, settings.shutdown_grace_seconds)
        except TimeoutError:
            log.warning("stopped with alert sends still in flight")
    for supervisor in supervisors:
        await supervisor.pause()  # polling stops; nothing new is stored
    worker_stop.set()  # what was stored is answered; anything left waits in the inbox
    try:
        await asyncio.wait_for(working, settings.shutdown_grace_seconds + 5)
    except TimeoutError:
        log.warning("stopped with messages still in flight (they stay in the inbox)")
    for supervisor in supervisors:
        await supervisor.stop()
    log.info("stopped")
