"""Finding copies of erased words: spelt as stored or with other spacing, never a short common
string, and nothing else in the text is touched."""

from __future__ import annotations

import json
from pathlib import Path

from secbot.db.session import Database
from secbot.rights.compaction import Compactor
from secbot.rights.scrub import ERASED, Fragments, blank_json, mentions


def test_copies_are_blanked_however_they_are_spaced() -> None:
    words = Fragments(["Tanker  unloading blue drums", "Kingston", "Crew refused inspection"])
    assert words.texts == ["Tanker unloading blue drums", "Crew refused inspection"]
    assert (
        words.blank("Filed BRB-0001: Tanker unloading blue drums.") == f"Filed BRB-0001: {ERASED}."
    )
    assert words.blank("report Tanker\nunloading   blue drums") == f"report {ERASED}"
    assert words.blank("(Crew refused inspection) at Kingston") == f"({ERASED}) at Kingston"
    assert not words.hits("Tanker unloading red drums in Kingston")
    value, changed = blank_json(
        {"text": "x Tanker unloading blue drums", "n": 3, "list": ["Kingston", None]}, words
    )
    assert changed and value == {"text": f"x {ERASED}", "n": 3, "list": ["Kingston", None]}
    assert blank_json({"text": "nothing here"}, words) == ({"text": "nothing here"}, False)
    assert mentions({"step": ["edit", "BRB-0007"]}, ["BRB-0007"])
    assert not Fragments(["short", "!!!!!!!!!!!!!!!!"])


def test_json_files_lose_erased_words_that_json_escaped(db: Database, tmp_path: Path) -> None:
    quoted = 'Board the "Sea Star" trawler and sample its bilge'
    accented = "Relève de l'équipage à Pointe-à-Pitre avant l'aube"
    box = tmp_path / "console" / "direct" / "cdema.jsonl"
    box.parent.mkdir(parents=True)
    lines = [
        json.dumps({"text": f"Task: {quoted}"}, ensure_ascii=False),
        json.dumps({"text": f"Need: {accented}"}),  # \\u00e8 and friends
        json.dumps({"text": "nothing of that report"}),
    ]
    box.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert Compactor(db, tmp_path).scrub_files(Fragments([quoted, accented])) == 1
    left = box.read_text(encoding="utf-8")
    assert "Sea Star" not in left and "Pointe" not in left and "nothing of that report" in left
    assert [json.loads(line)["text"] for line in left.splitlines()][2] == "nothing of that report"
