"""The `secbot` command. Importing the command modules registers their commands on `app`."""

from secbot.entrypoints.cli import admin, alerts, brief, knowledge, partners, run
from secbot.entrypoints.cli.app import app

__all__ = ["admin", "alerts", "app", "brief", "knowledge", "main", "partners", "run"]


def main() -> None:
    app()
