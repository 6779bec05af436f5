"""Running the bot: serve (all configured platforms, or the console), chat, dispatch."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from typing import Annotated

import typer
from sqlalchemy import func, select

from secbot.db.models import Member
from secbot.domain.clock import utcnow
from secbot.domain.enums import Role
from secbot.entrypoints.bootstrap import App
from secbot.entrypoints.cli.app import app
from secbot.entrypoints.cli.common import load_app
from secbot.identity import invites
from secbot.transports.console import ConsoleChat


@app.command()
def chat(
    as_: Annotated[
        str, typer.Option("--as", help="console account name; each is its own account")
    ] = "you",
    group: Annotated[str | None, typer.Option(help="talk in this console group chat id")] = None,
) -> None:
    """A chat session on standard input and output (works in a pipe)."""
    application = load_app(with_index=True, background=True)
    _console(application, as_, group)


def _console(application: App, name: str, group: str | None = None) -> None:
    """A console session that keeps its buttons and shows the alerts its chat receives. At a
    terminal the model loads while the person types; in a pipe, on the first question (a piped
    `help` then never pays for it). Either way a question waits for it."""
    from secbot.transports.console_rooms import deliverer as console_deliverer

    interactive = sys.stdin.isatty()
    if interactive and application.knowledge is not None:
        application.knowledge.start()
    console = ConsoleChat(
        application.engine,
        name,
        chat=group,
        data_dir=application.settings.data_dir,
        deliver=console_deliverer(application.settings, application.db),
    )
    console.run(sys.stdin, sys.stdout, prompt=interactive)
    if application.knowledge is not None:
        application.knowledge.settle(30)


def _json_logs(level: str) -> None:
    from secbot.entrypoints.serve import JsonFormatter

    handler = logging.StreamHandler()
    handler.setLevel(level)  # libraries that set their own loggers to DEBUG stay quiet
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


@app.command()
def dispatch() -> None:
    """Run only the alert dispatcher (add processes to share the load; PostgreSQL only)."""
    import asyncio
    import contextlib
    import signal

    from secbot.entrypoints.dispatch import build_dispatcher
    from secbot.entrypoints.serve import run_dispatcher

    application = load_app()
    dispatcher = build_dispatcher(application.settings, application.db)
    if dispatcher is None:
        typer.echo("No platform token is configured, so there is nowhere to send.", err=True)
        raise typer.Exit(2)
    _json_logs(application.settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await run_dispatcher(dispatcher, stop)

    asyncio.run(main())


@app.command()
def serve() -> None:
    """Run the bot. With no platform token configured, this is a console chat."""
    application = load_app(with_index=True, background=True)
    if application.settings.has_platform:
        import asyncio

        from secbot.entrypoints.serve import serve

        _json_logs(application.settings.log_level)
        try:
            asyncio.run(serve(application))
        except ValueError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from None
        finally:
            if application.knowledge is not None:
                application.knowledge.settle(10)
        return
    _first_run_hint(application)
    _console(application, "you")


def _first_run_hint(application: App) -> None:
    with application.db.transaction() as session:
        members = session.scalar(select(func.count(Member.id))) or 0
        typer.echo("secbot is running with no platform token: console chat as account 'you'.")
        if members:
            return
        code = invites.create_invite(
            session,
            role=Role.FOCAL_POINT,
            state_code="BRB",
            created_by="demo (first run)",
            ttl=timedelta(hours=24),
            now=utcnow(),
            prefix="DEMO",
        )
    typer.echo(
        "No members yet. DEMO INVITE (focal point for Barbados, single use, valid 24 hours):\n"
        f"  join {code}\n"
        "Make your own invite with:\n"
        "  .venv/bin/secbot admin invite create --state BRB --role focal_point\n"
        "Other console accounts: .venv/bin/secbot chat --as NAME"
    )
