"""The one clock. Entry points read it; everything below takes `now` as a parameter, so tests
and replays decide what time it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)
