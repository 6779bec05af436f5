"""Off-topic questions are declined by what they name: a name, a year or a dated document that
none of the best visible passages mentions (decision 0026), or the thing a factoid question asks
for that no passage mentions with its names (decision 0030), judged only on what the asker may
see. Real Chroma and BM25 over the hand-built official chunks of test_query_stages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from secbot.access.chroma import retrieval_where
from secbot.access.scope import scope_for
from secbot.knowledge import doc_refs, support
from secbot.knowledge.embeddings import HashingEmbedder
from secbot.knowledge.lexical_index import LexicalIndex, stem
from secbot.knowledge.retriever import HybridRetriever
from secbot.knowledge.vector_index import VectorIndex, make_client
from tests.knowledge.test_query_stages import UNITS, member


def names(question: str, texts: list[str]) -> list[str]:
    return support.unseen_names(question, doc_refs.parse(question), texts, stem)


def test_a_name_no_passage_mentions_is_unseen() -> None:
    texts = ["Decides to extend the mandate of BINUH in Haiti until 15 July 2024."]
    assert names("What is the Council's position on the war in Ukraine?", texts) == ["Ukraine"]
    assert names("What does NATO's Article 5 require?", texts) == ["NATO"]
    assert names("Until when is the BINUH mandate in Haiti extended?", texts) == []
    # months and roman numerals say when and which, not what about
    assert names("What did the Council decide in July about part IV of BINUH?", texts) == []


def test_a_dated_document_nobody_may_see_is_unknown() -> None:
    visible = {"a": doc_refs.DocInfo("a", "S/RES/1373 (2001)", "1373", 2001)}

    def unknown(question: str) -> bool:
        refs = doc_refs.parse(question)
        return support.unknown_document(question, refs, doc_refs.resolve(refs, visible))

    assert unknown("What sanctions did resolution 1718 (2006) impose?")
    assert unknown("Summarise S/RES/2231 (2015).")
    assert not unknown("What does resolution 1373 (2001) decide?")
    assert not unknown("What did resolution 1373 (2001) say about resolution 1267 (1999)?")
    # a number without a year is often a reference inside the text ("established under 2653")
    assert not unknown("What did the Council ask regarding the Committee under resolution 2653?")


def test_a_year_no_document_is_from_and_no_passage_mentions_is_unseen() -> None:
    visible = {"a": doc_refs.DocInfo("a", "S/RES/1373 (2001)", "1373", 2001)}
    text = ["Requests a report by 30 June 2003."]
    assert support.unseen_years(doc_refs.parse("How many in 2031?"), visible, text)
    assert not support.unseen_years(doc_refs.parse("What was decided in 2001?"), visible, text)
    assert not support.unseen_years(doc_refs.parse("What is due in 2003?"), visible, text)
    assert not support.unseen_years(doc_refs.parse("What is due?"), visible, text)


def test_a_factoid_question_asks_for_the_thing_it_names_first() -> None:
    assert support.focus("What is the salary of a coast guard officer in Trinidad?") == ["salary"]
    assert support.focus("How many seats does the Kenyan parliament have?") == ["seats"]
    assert support.focus("Who is the current Secretary-General of INTERPOL?") == [
        "secretary-general"
    ]
    assert support.focus("What is the literacy rate in Somalia?") == ["literacy", "rate"]
    # statements and instances are not named things: nothing to look for
    assert support.focus("What did the Council say about piracy?") == []
    assert support.focus("Which countries did the Council commend?") == []
    assert support.focus("Did the Council condemn the attacks?") == []
    # a passive verb is not a thing: "what is described as ..." asks for a statement
    assert support.focus("What is described as the most critical task?") == []
    assert support.focus("What is known about the Kestrel ring?") == []
    assert support.focus("How many displaced persons remain?") == []
    assert support.focus("What is the boiling point of water?") == ["boiling", "point"]


def unseen_focus(question: str, texts: list[str], corpus: str = "") -> list[str]:
    words = set(corpus.lower().split()) | {w for t in texts for w in t.lower().split()}
    return support.unseen_focus(
        question, doc_refs.parse(question), texts, stem, lambda w: w.lower() not in words
    )


def test_the_thing_asked_for_must_be_in_a_passage_with_the_names_asked_about() -> None:
    texts = [
        "Welcoming the contribution of Mongolia to the mission,",
        "Requests States to protect capital markets from terrorist financing;",
    ]
    # Mongolia and "capital" are both mentioned, never together: no passage says what it is
    assert unseen_focus("What is the capital of Mongolia?", texts) == ["capital"]
    assert unseen_focus("What is the capital of the mission?", texts) == []
    together = ["Mongolia, whose capital is Ulaanbaatar, contributed troops."]
    assert unseen_focus("What is the capital of Mongolia?", together) == []
    # a thing no visible passage mentions at all, names or not
    assert unseen_focus("What is the salary of the Secretary-General?", texts) == ["salary"]
    # without names, a passage may answer in other words: only absence counts
    threat = ["Dengue outbreaks spread between islands by mosquitoes; rated high."]
    corpus = "the risk of disasters"
    assert unseen_focus("What is the risk of dengue outbreaks?", threat, corpus) == []
    assert unseen_focus("Did the Council condemn Mongolia?", texts) == []
    # two questions in one: the second's names need not be beside the first's thing
    assert unseen_focus("What is the capital? Mongolia contributed troops", texts) == []


@pytest.fixture
def retriever(tmp_path: Path) -> Iterator[HybridRetriever]:
    embedder = HashingEmbedder()
    vector = VectorIndex(make_client(tmp_path, None), embedder, name="support_test")
    vector.upsert(UNITS)
    lexical = LexicalIndex()
    lexical.replace_all(UNITS)
    yield HybridRetriever(vector, lexical, embedder, floor=0.0, weak=0.0)


def sources(retriever: HybridRetriever, question: str, party: str = "JAM") -> list[str]:
    where = retrieval_where(scope_for(member(party)))
    return [str(h.metadata["source"]) for h in retriever.search(question, where)]


def test_off_topic_questions_are_declined_and_on_topic_ones_answered(
    retriever: HybridRetriever,
) -> None:
    for question in (
        "What does the Council decide on the financing of terrorist acts in Ukraine?",
        "What does resolution 1718 (2006) decide on the financing of terrorist acts?",
        "Which States shall prevent the financing of terrorist acts in 2031?",
    ):
        assert sources(retriever, question) == [], question
    on_topic = "What does S/RES/1373 (2001) decide on the financing of terrorist acts?"
    assert sources(retriever, on_topic)[0] == "res-1373.txt"
    assert sources(retriever, "What did the San Salvador conclusions agree on firearms?")


def test_a_name_only_a_private_document_holds_is_judged_on_what_the_asker_sees(
    retriever: HybridRetriever,
) -> None:
    question = "What about harbour patrols at Speightstown?"
    assert sources(retriever, question, party="BRB")[0] == "private.txt"
    # Another state's asker gets exactly what a name nobody holds gets: nothing.
    assert sources(retriever, question) == []
    assert sources(retriever, "What about harbour patrols at Holetown?") == []


def test_a_thing_only_a_private_document_mentions_is_judged_on_what_the_asker_sees(
    retriever: HybridRetriever,
) -> None:
    """`night` is in Barbados's private order only: its asker is answered from it, another
    state's asker is declined exactly as for a word nobody holds."""
    assert sources(retriever, "How many night patrols are there?", party="BRB")
    assert sources(retriever, "How many night patrols are there?") == []
    assert sources(retriever, "How many dawn patrols are there?") == []
    # the same shape of question, about what every state may see, is answered
    assert sources(retriever, "How many States shall prevent the financing of terrorist acts?")


def test_things_asked_for_before_the_verb_and_measures_are_named_too() -> None:
    assert support.focus("Which vaccines are required to travel to Somalia?") == ["vaccines"]
    assert support.focus("Which airline has the best safety record in Europe?") == ["airline"]
    assert support.focus("How tall is the headquarters building in New York?") == ["tall"]
    # actors are named by instance, and a duration is stated in other words
    assert support.focus("Which countries are required to report to the Committee?") == []
    assert support.focus("Which States have submitted national reports?") == []
    assert support.focus("How long is the mandate of the Panel extended?") == []
    texts = ["Calls upon States to strengthen vaccine supply chains against epidemics."]
    asked = "Which vaccines are required to travel to Somalia?"
    assert unseen_focus(asked, texts) == ["vaccines"]
    together = "In Somalia, vaccines are required for yellow fever."
    assert unseen_focus(asked, [*texts, together]) == []


def phrases(question: str, texts: list[str]) -> list[str]:
    return support.unseen_phrases(doc_refs.parse(question), texts, stem)


def test_a_name_of_several_words_must_occur_as_a_phrase_not_word_by_word() -> None:
    texts = [
        "Recognizing that the Arms Trade Treaty regulates the international trade in arms,",
        "Noting the world drug problem and the Nuclear Security Summit held in 2016,",
        "Recalling the Treaty for the Prohibition of Nuclear Weapons in Latin America (Treaty "
        "of Tlatelolco) and the Counter-Terrorism Committee Executive Directorate,",
    ]
    asked = "How does the World Trade Organization settle disputes over tariffs?"
    assert phrases(asked, texts) == ["World Trade"]
    # inflections, possessives and a word the question leaves out between the name's words
    assert phrases("Which Nuclear Security Summits were recalled?", texts) == []
    assert phrases("When did the Treaty of Tlatelolco's protocol enter into force?", texts) == []
    assert phrases("What does the Counter-Terrorism Executive Directorate assess?", texts) == []
    assert phrases("What did the Arms Trade Treaty say?", texts) == []
    # one pair of the name's words in order is enough, and months or bodies are no names
    meeting = ["the High-Level Meeting on the concerns of small island states (San Salvador, 1998)"]
    assert phrases("What did the San Salvador High-Level Meeting conclude?", meeting) == []
    assert phrases("What happened at the Committee's March 2001 meeting?", ["In 2001."]) == []
    # one capitalised word is unseen_names' to judge, not a phrase
    assert phrases("What about Europe?", texts) == []
