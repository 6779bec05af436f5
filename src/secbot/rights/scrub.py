"""Finding and blanking the erased text where it was copied: chat messages kept in the inbox,
replies waiting to be sent, drafts, alert texts, brief issues and files under the data dir.

Only fragments long enough to be the report's own words are looked for (a bare place name such
as "Kingston" would blank unrelated messages); the report's id counts as a fragment where a
row is *about* the report (a draft, a brief issue)."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

ERASED = "[erased]"
MIN_FRAGMENT = 12
"""Characters a fragment needs to be looked for: shorter strings are too common to blank."""


class Fragments:
    """The erased texts. A string is checked by looking its word n-grams up in a table of each
    fragment's first words, then only the few candidates found are matched: thousands of
    fragments (a whole state) against every stored message stay linear in the text read."""

    def __init__(self, texts: Iterable[str]) -> None:
        found = {" ".join(t.split()) for t in texts}
        self.texts = sorted(
            (t for t in found if len(t) >= MIN_FRAGMENT and _TOKEN.search(t)),
            key=len,
            reverse=True,
        )
        self._by_key: dict[tuple[str, ...], list[int]] = {}
        for n, fragment in enumerate(self.texts):
            key = tuple(_TOKEN.findall(fragment)[:KEY_WORDS])
            self._by_key.setdefault(key, []).append(n)
        self._sizes = sorted({len(k) for k in self._by_key})

    def __bool__(self) -> bool:
        return bool(self.texts)

    def _candidates(self, value: str) -> list[str]:
        if not self._by_key:
            return []
        tokens = _TOKEN.findall(value)
        found: set[int] = set()
        for size in self._sizes:
            for i in range(len(tokens) - size + 1):
                found.update(self._by_key.get(tuple(tokens[i : i + size]), ()))
        return [self.texts[n] for n in sorted(found)]

    def hits(self, value: str) -> bool:
        candidates = self._candidates(value)
        if not candidates:
            return False
        spaced = " ".join(value.split())
        return any(t in value or t in spaced for t in candidates)

    def blank(self, value: str) -> str:
        """Plain replacement where the copy is spelt as stored; a copy whose spaces differ
        (a form collapsed them, a line was wrapped) is found by a pattern."""
        for fragment in self._candidates(value):  # longest first
            if fragment in value:
                value = value.replace(fragment, ERASED)
            elif fragment in " ".join(value.split()):
                value = _pattern(fragment).sub(ERASED, value)
        return value


_TOKEN = re.compile(r"\w+")
KEY_WORDS = 3
"""Words of a fragment's start looked up as one key."""


@lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(_loose(text))


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


def strip_attachments(
    replies: Any, fragments: Fragments, ids: Iterable[str], *, sent: bool
) -> tuple[Any, bool]:
    """Stored replies with the bytes of their files dropped where they may hold the erased
    words. A sent reply needs no bytes any more, so all go; a reply still waiting keeps a
    file only when its text can be read and holds none of them (a PDF or an image cannot be
    searched, so it goes too: better a reply without its file than an erased report in it)."""
    if not isinstance(replies, list):
        return replies, False
    wanted = list(ids)
    changed = False
    for reply in replies:
        for attachment in (reply.get("attachments") or []) if isinstance(reply, dict) else []:
            data = attachment.get("data") if isinstance(attachment, dict) else None
            if not data:
                continue
            if sent or _may_hold(base64.b64decode(data), fragments, wanted):
                attachment["data"] = ""
                changed = True
    return replies, changed


def _may_hold(data: bytes, fragments: Fragments, ids: list[str]) -> bool:
    if data.startswith((b"%PDF", b"\x89PNG")):
        return True
    texts: list[str] = []
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    else:
        texts = [data.decode("utf-8", "replace")]
    for text in texts:
        plain = text.replace("\\n", " ").replace('\\"', '"')
        if any(i in text for i in ids) or fragments.hits(text) or fragments.hits(plain):
            return True
    return False
