"""How quoted passages read: list items with their lead-in, register entries as cards, and
which questions are listings. Pure functions: no index."""

from __future__ import annotations

from secbot.knowledge.ask import listing, named_kinds
from secbot.knowledge.extractive import answer, best_sentences, segments
from secbot.knowledge.passages import Passage

TABLE = (
    "In Table 1, state and non-state actors carry out consultation and response. They:\n"
    "- bring approaches into line, within each state and between states, to counter threats;\n"
    "- co-ordinate their combined responses.\n"
)


def test_list_items_are_quoted_with_their_lead_in_and_without_markers() -> None:
    parts = segments(TABLE)
    assert [p.text for p in parts] == [
        "bring approaches into line, within each state and between states, to counter threats",
        "co-ordinate their combined responses.",
    ]
    quote = best_sentences("how do actors co-ordinate their responses?", TABLE)
    assert not quote.startswith("-") and "; -" not in quote
    assert quote.startswith("In Table 1, state and non-state actors"), quote
    assert quote.endswith("co-ordinate their combined responses."), quote


def test_an_item_without_a_lead_in_is_introduced_by_its_section_heading() -> None:
    text = "- co-ordinate their combined responses.\n"
    quote = best_sentences("co-ordinate responses", text, heading="Actors (response)")
    assert quote == "Actors (response): co-ordinate their combined responses.", quote


def test_prose_is_quoted_sentence_by_sentence() -> None:
    text = "Storms are frequent. Ports close for days. Insurance is scarce."
    assert best_sentences("ports closing", text, limit=1) == "Ports close for days."


def test_a_register_hit_is_shown_as_its_card_not_its_index_text() -> None:
    passage = Passage(
        chunk_id="contact:1",
        source="contacts.yaml",
        locator="BRB defence",
        citation="Contact directory, Barbados, defence",
        text="Barbados defence contact: Coast guard, duty officer. Topics: maritime.",
        score=0.9,
        kind="contact",
        card="Barbados, defence: Coast guard, duty officer, cg@example.org",
    )
    text = answer("who runs the coast guard?", [passage], "nothing").text
    assert text.startswith("• Barbados, defence: Coast guard, duty officer, cg@example.org [1]")
    assert "contact:" not in text and "Topics" not in text


def test_listing_questions_and_named_kinds() -> None:
    assert listing("what threats does the model list?") == ("threats", "")
    assert listing("Which objectives cover ransomware?") == ("objectives", "ransomware")
    assert listing("What are the strategic objectives on drug trafficking?") == (
        "objectives",
        "drug trafficking",
    )
    assert listing("what is the role of civil society?") is None
    assert listing("how do threats reach the register?") is None
    assert named_kinds("who do I contact about ports?") == ["contact"]
    assert named_kinds("objectives against cocaine") == ["objective"]
    assert named_kinds("what does the political body do?") == []
