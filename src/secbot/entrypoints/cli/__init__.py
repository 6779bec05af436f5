"""The `secbot` command. Importing the command modules registers their commands on `app`."""

from secbot.entrypoints.cli import admin, alerts, knowledge, run
from secbot.entrypoints.cli.app import app

__all__ = ["admin", "alerts", "app", "knowledge", "main", "run"]


def main() -> None:
    app()
