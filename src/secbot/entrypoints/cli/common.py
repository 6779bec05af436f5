"""What every command shares: building the app, one transaction that exits politely, safe text."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from secbot.access.principal import SECRETARIAT, Place, Principal
from secbot.domain.enums import Role
from secbot.domain.errors import SecbotError
from secbot.entrypoints.bootstrap import App, ConfigurationError, build, load_settings
from secbot.knowledge.yaml_source import KnowledgeFileError

CLI_ACTOR = "cli"
OPERATOR = Principal(SECRETARIAT, Role.SECRETARIAT, Place.direct(), label=CLI_ACTOR)
"""The command line acts for the secretariat (it runs on the server, as its operator)."""


def quiet_logging(level: int | str = logging.WARNING) -> None:
    """Log lines go to stderr, never into a conversation on stdout, and the level is set on
    the handler: a library that sets its own logger to DEBUG (bm25s does, on import) still
    prints nothing below `level`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def load_app(*, with_index: bool = False, background: bool = False) -> App:
    """The app, or one line on what is misconfigured and exit code 2 (never a traceback).
    `background`: the retrieval side loads later (started by the caller, or on first need)."""
    quiet_logging()
    try:
        return build(load_settings(), with_index=with_index, background=background)
    except ConfigurationError as error:
        raise fail(f"Configuration error: {error}", 2) from None
    except KnowledgeFileError as error:
        raise fail(f"Knowledge file error: {error}", 2) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@contextmanager
def transaction(application: App) -> Iterator[Session]:
    """One transaction; a SecbotError rolls it back and exits 1 with its message."""
    try:
        with application.db.transaction() as session:
            yield session
    except SecbotError as error:
        raise fail(error.message) from None


def safe(value: object) -> str:
    """One printable line per field, so stored text can never forge an audit line."""
    text = str(value)
    return text if text.isprintable() else json.dumps(text)
