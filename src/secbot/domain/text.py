"""Checks applied to every piece of text a person sends, before anything reads it."""

from __future__ import annotations

import unicodedata

from secbot.domain.errors import InvalidInput

ALLOWED_CONTROLS = {"\n", "\t", "\r"}


def clean_text(text: str, *, max_chars: int) -> str:
    """Refuse over-long or control-character text rather than silently altering it."""
    if len(text) > max_chars:
        raise InvalidInput(
            f"That message is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Please shorten it or split it into several messages."
        )
    for ch in text:
        if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            if ch in ("\u200d", "\u200c", "\ufe0f"):  # joiners used by emoji are harmless
                continue
            raise InvalidInput(
                f"Your message contains a control character (U+{ord(ch):04X}). "
                "Please send plain text."
            )
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").strip()


def one_line(text: str, limit: int) -> str:
    """Shorten for display on a phone without cutting a word in half where possible."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return (cut or flat[: limit - 1]) + "…"
