"""Pure domain helpers: text checks, time parsing, guesses, TLP parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secbot.domain.enums import TLP, Severity
from secbot.domain.errors import InvalidInput
from secbot.domain.guess import guess_severity, guess_title
from secbot.domain.taxonomy import find_category, guess_category
from secbot.domain.text import clean_text, one_line
from secbot.domain.when import parse_when
from secbot.engine.engine import parse

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("45 min ago", NOW - timedelta(minutes=45)),
        ("3 days ago", NOW - timedelta(days=3)),
        ("today 09:30", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)),
        ("yesterday 22:00", datetime(2026, 11, 26, 22, 0, tzinfo=UTC)),
        ("2026-11-20 14:30", datetime(2026, 11, 20, 14, 30, tzinfo=UTC)),
        ("2026-11-20T14:30-04:00", datetime(2026, 11, 20, 18, 30, tzinfo=UTC)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize("text", ["whenever", "2027-01-01", "tomorrow", "1901-01-01"])
def test_parse_when_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_when(text, NOW)


def test_clean_text() -> None:
    assert clean_text("  héllo\r\nthere ", max_chars=50) == "héllo\nthere"
    assert clean_text("flag 👍🏽 ok", max_chars=50) == "flag 👍🏽 ok"
    with pytest.raises(InvalidInput, match="U\\+001B"):
        clean_text("esc \x1b[31m", max_chars=50)
    with pytest.raises(InvalidInput, match="U\\+202E"):
        clean_text("bidi \u202e trick", max_chars=50)
    with pytest.raises(InvalidInput, match="limit is 10"):
        clean_text("x" * 11, max_chars=10)


def test_guesses() -> None:
    assert guess_category("Ransomware hit the port systems").key == "cyber_incident"
    assert guess_category("Nothing recognisable").key == "other"
    assert find_category("cyber").key == "cyber_incident"  # type: ignore[union-attr]
    assert find_category("Maritime security").key == "maritime_security"  # type: ignore[union-attr]
    assert find_category("zz") is None
    assert guess_severity("An armed group") is Severity.HIGH
    assert guess_severity("A boat") is Severity.MODERATE
    assert guess_title("First sentence. Second one.") == "First sentence."
    assert one_line("a b c d e f", 6) == "a b…"


def test_tlp_parse() -> None:
    assert TLP.parse("tlp:amber+strict") is TLP.AMBER_STRICT
    assert TLP.parse("white") is TLP.CLEAR
    assert TLP.parse("red") is TLP.RED
    assert TLP.parse("pink") is None


def test_verb_parsing() -> None:
    assert parse("/report@secbot_bot boat seen") == ("report", "boat seen", True)
    assert parse("Share BRB-0001 JAM") == ("share", "BRB-0001 JAM", False)
    assert parse("report\nline two") == ("report", "line two", False)
