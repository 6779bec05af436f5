"""Near misses: which known words a typed one was probably meant to be."""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit (`reprots`)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(row[j - 1] + 1, rows[i - 1][j] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def allowance(word: str) -> int:
    """How many edits still read as a typo: one for short words, two from six letters on."""
    return 1 if len(word) < 6 else 2


def closest(word: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known words nearest to `word` within its allowance, nearest first (ties in the
    order given); nothing for words under three letters, which are too short to guess from."""
    word = word.lower()
    if len(word) < 3:
        return []
    scored = [(distance(word, k.lower()), n, k) for n, k in enumerate(known)]
    near = sorted((d, n, k) for d, n, k in scored if 0 < d <= allowance(word))
    if not near:
        return []
    best = near[0][0]
    return [k for d, _, k in near if d == best][:limit]
