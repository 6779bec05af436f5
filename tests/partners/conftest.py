"""The partner tests drive the real transports too: `serve()` against the local fakes."""

from tests.transports.conftest import start_bot

__all__ = ["start_bot"]
