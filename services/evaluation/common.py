"""Tokenisation, overlap and one-to-one matching helpers shared by evaluations."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Callable, Sequence, TypeVar

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
T = TypeVar("T")
U = TypeVar("U")


def normalise(text: str) -> str:
    """Unicode-normalised, lower-cased text with curly apostrophes made straight."""
    text = unicodedata.normalize("NFKC", text or "")
    return text.replace("’", "'").replace("‘", "'").lower()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters/digits runs); punctuation and spacing ignored."""
    return _TOKEN_RE.findall(normalise(text))


def token_overlap(a: str, b: str) -> float:
    """|common tokens (multiset)| / max(|tokens a|, |tokens b|), in [0, 1].

    Symmetric and insensitive to punctuation, case and spacing; 1.0 means the
    same words, a fragment of half the other's length scores at most 0.5.
    """
    ta, tb = Counter(tokens(a)), Counter(tokens(b))
    n = max(sum(ta.values()), sum(tb.values()))
    if n == 0:
        return 1.0 if normalise(a).strip() == normalise(b).strip() else 0.0
    return sum((ta & tb).values()) / n


def match_one_to_one(gold: Sequence[T], pred: Sequence[U], score: Callable[[T, U], float],
                     threshold: float) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching of pairs scoring >= threshold, best pairs first.

    Returns (gold index, prediction index, score) triples.
    """
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            s = score(g, p)
            if s >= threshold:
                pairs.append((s, i, j))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_g, used_p, out = set(), set(), []
    for s, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j, s))
    return sorted(out)


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 (0 when undefined)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
