"""Running the `secbot` command as a user would: in process (Typer's runner) or as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from secbot.db.session import Database
from secbot.entrypoints.cli import app

runner = CliRunner()


@contextmanager
def _disposing() -> Iterator[None]:
    """A real `secbot` process closes its database connections when it exits; a command run in
    this process must too, or a long suite on PostgreSQL runs out of connections."""
    made: list[Database] = []
    original = Database.__init__

    def track(self: Database, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    Database.__init__ = track  # type: ignore[method-assign]
    try:
        yield
    finally:
        Database.__init__ = original  # type: ignore[method-assign]
        for database in made:
            database.dispose()


def invoke(args: list[str], **kwargs: Any) -> Result:
    with _disposing():
        return runner.invoke(app, args, **kwargs)


def cli(*args: str) -> str:
    result = invoke(list(args))
    assert result.exit_code == 0, result.output
    return result.output


def cli_fails(*args: str) -> str:
    result = invoke(list(args))
    assert result.exit_code != 0, result.output
    return result.output


def chat(env: dict[str, str], name: str, lines: list[str]) -> str:
    """A piped console session in its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "secbot", "chat", "--as", name],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=True,
    )
    return result.stdout
