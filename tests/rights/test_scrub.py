"""Finding copies of erased words: spelt as stored or with other spacing, never a short common
string, and nothing else in the text is touched."""

from __future__ import annotations

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
