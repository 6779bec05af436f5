"""Finding and blanking the erased text where it was copied: chat messages kept in the inbox,
replies waiting to be sent, drafts, alert texts, brief issues and files under the data dir.

Only fragments long enough to be the report's own words are looked for (a bare place name such
as "Kingston" would blank unrelated messages); the report's id counts as a fragment where a
row is *about* the report (a draft, a brief issue)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

ERASED = "[erased]"
MIN_FRAGMENT = 12
"""Characters a fragment needs to be looked for: shorter strings are too common to blank."""


class Fragments:
    """The erased texts, matched by one compiled pattern (longest first)."""

    def __init__(self, texts: Iterable[str]) -> None:
        found = {" ".join(t.split()) for t in texts}
        self.texts = sorted((t for t in found if len(t) >= MIN_FRAGMENT), key=len, reverse=True)
        self._pattern = re.compile("|".join(_loose(t) for t in self.texts)) if self.texts else None

    def __bool__(self) -> bool:
        return bool(self.texts)

    def hits(self, value: str) -> bool:
        return self._pattern is not None and self._pattern.search(value) is not None

    def blank(self, value: str) -> str:
        return self._pattern.sub(ERASED, value) if self._pattern is not None else value


def _loose(text: str) -> str:
    """The fragment with any run of whitespace matching any other (forms collapse spaces)."""
    return r"\s+".join(re.escape(word) for word in text.split())


def blank_json(value: Any, fragments: Fragments) -> tuple[Any, bool]:
    """(value with every string that quotes a fragment blanked, whether anything changed)."""
    if isinstance(value, str):
        blanked = fragments.blank(value)
        return blanked, blanked != value
    if isinstance(value, list):
        changed = False
        out_list = []
        for item in value:
            new, hit = blank_json(item, fragments)
            out_list.append(new)
            changed = changed or hit
        return out_list, changed
    if isinstance(value, dict):
        changed = False
        out_dict = {}
        for key, item in value.items():
            new, hit = blank_json(item, fragments)
            out_dict[key] = new
            changed = changed or hit
        return out_dict, changed
    return value, False


def mentions(value: Any, words: Iterable[str]) -> bool:
    """Whether any string inside `value` contains one of `words` (ids, exactly)."""
    wanted = tuple(words)
    if isinstance(value, str):
        return any(w in value for w in wanted)
    if isinstance(value, list):
        return any(mentions(v, wanted) for v in value)
    if isinstance(value, dict):
        return any(mentions(v, wanted) for v in value.values())
    return False
