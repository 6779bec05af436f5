"""Running the `secbot` command as a user would: in process (Typer's runner) or as a process."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from secbot.entrypoints.cli import app

runner = CliRunner()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def cli_fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
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
