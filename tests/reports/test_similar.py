"""The similar-report rules on their own: distance, the text measure on labelled pairs (its
precision and recall are printed and held to a floor), and time/place windows."""

from __future__ import annotations

from secbot.reports.similar import MIN_TERMS, TEXT_THRESHOLD, distance_km, terms, text_similarity

# (a, b, same event?): wording a focal point might send twice, and near misses that share a
# template but describe different events.
PAIRS: list[tuple[str, str, bool]] = [
    (
        "Fishing boat capsized off Bathsheba, two crew rescued",
        "Fishing boat capsized off Bathsheba two crew rescued by a yacht",
        True,
    ),
    (
        "Ransomware locked the port authority billing servers",
        "Ransomware has locked the port authority billing servers again",
        True,
    ),
    (
        "Go-fast boat landing cocaine bales near Speightstown",
        "Cocaine bales landed from a go-fast boat near Speightstown",
        True,
    ),
    (
        "Armed robbery of a money courier at Oistins fish market",
        "Money courier robbed by armed men at Oistins fish market",
        True,
    ),
    (
        "Migrants landed by a smuggling boat at Conset Bay",
        "Smuggling boat landed migrants at Conset Bay overnight",
        True,
    ),
    (
        "Oil sheen reported by fishermen off Carlisle Bay",
        "Oil sheen reported by fishermen off Paynes Bay",
        False,
    ),
    (
        "Amber report shared with Jamaica",
        "Green report shared with Jamaica",
        False,
    ),
    (
        "Handguns found hidden in a barrel shipment at Bridgetown Port",
        "Cocaine found hidden in a container of frozen fish at Bridgetown Port",
        False,
    ),
    (
        "Flash flooding after heavy rain at Holetown, households evacuated",
        "Landslide after heavy rain blocks the road above Holetown",
        False,
    ),
    ("Boat seen", "Boat seen", False),  # too few words to say anything
    (
        "Foreign trawler fishing illegally off North Point",
        "Foreign trawler fishing illegally off River Bay",
        False,
    ),
]


def _same(a: str, b: str) -> bool:
    if min(len(terms(a)), len(terms(b))) < MIN_TERMS:
        return False
    return text_similarity(a, b) >= TEXT_THRESHOLD


def test_text_measure_on_labelled_pairs() -> None:
    said = [(_same(a, b), truth) for a, b, truth in PAIRS]
    tp = sum(1 for s, t in said if s and t)
    fp = sum(1 for s, t in said if s and not t)
    fn = sum(1 for s, t in said if not s and t)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"text similarity: precision {precision:.2f}, recall {recall:.2f} on {len(PAIRS)} pairs")
    # Words alone must never merge different events (the place/time rule catches the rest).
    assert fp == 0, [p for p, (s, t) in zip(PAIRS, said, strict=True) if s and not t]
    assert recall >= 0.8


def test_scores_are_symmetric_and_bounded() -> None:
    for a, b, _ in PAIRS:
        assert text_similarity(a, b) == text_similarity(b, a)
        assert 0.0 <= text_similarity(a, b) <= 1.0
    assert text_similarity("", "vessel") == 0.0


def test_distance() -> None:
    # Speightstown to Port St. Charles (1.3 km), to Grantley Adams airport (about 20 km)
    assert 1.2 < distance_km(13.250, -59.643, 13.262, -59.644) < 1.5
    assert 18 < distance_km(13.250, -59.643, 13.075, -59.492) < 26
