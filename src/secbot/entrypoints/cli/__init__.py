"""The `secbot` command. Importing the command modules registers their commands on `app`."""

from secbot.entrypoints.cli import (
    admin,
    alerts,
    brief,
    interchange,
    knowledge,
    partners,
    rights,
    run,
    web,
)
from secbot.entrypoints.cli.app import app

__all__ = [
    "admin",
    "alerts",
    "app",
    "brief",
    "interchange",
    "knowledge",
    "main",
    "partners",
    "rights",
    "run",
    "web",
]


def main() -> None:
    app()
