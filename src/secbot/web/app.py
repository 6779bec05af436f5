"""Builds the console as an aiohttp sub-application mounted at /web on the bot's one server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from secbot.db.session import Database
from secbot.domain.clock import Clock, utcnow
from secbot.web import (
    admin_pages,
    alert_pages,
    channel_pages,
    home,
    knowledge_pages,
    reports_pages,
    signin,
)
from secbot.web.core import CONSOLE, Console, guard

HERE = Path(__file__).resolve().parent
PREFIX = "/web"
Knowledge = tuple[Path | None, Callable[[], object] | None]


def build_console(
    db: Database,
    base_url: str,
    clock: Clock = utcnow,
    cap: tuple[str, str] | None = None,
    knowledge: Knowledge = (None, None),
) -> web.Application:
    """`cap`: CAP's sender id and sender name for exported alerts (the settings' values).
    `knowledge`: the uploads folder and the index's repair, for the Knowledge page."""
    console = web.Application(middlewares=[guard], client_max_size=256 * 1024)
    settings = Console(db, base_url, clock, *(cap or ()))
    console[CONSOLE] = replace(settings, uploads=knowledge[0], reindex=knowledge[1])
    aiohttp_jinja2.setup(
        console,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    )
    for table in (
        signin.routes,
        home.routes,
        reports_pages.routes,
        alert_pages.routes,
        channel_pages.routes,
        admin_pages.routes,
        knowledge_pages.routes,
    ):
        console.add_routes(table)
    console.router.add_static("/static", HERE / "static", append_version=False)
    return console


def mount(
    app: web.Application,
    db: Database,
    base_url: str,
    clock: Clock = utcnow,
    cap: tuple[str, str] | None = None,
    knowledge: Knowledge = (None, None),
) -> None:
    """Add the console to a server's application before it starts."""
    app.add_subapp(PREFIX, build_console(db, base_url, clock, cap, knowledge))
