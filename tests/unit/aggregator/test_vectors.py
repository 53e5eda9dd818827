"""Sparse vector arithmetic."""
from __future__ import annotations

import pytest

from services.aggregator.vectors import cosine, vector_norm


def test_cosine_of_sparse_vectors():
    a, b = {"x": 3.0, "y": 4.0}, {"x": 3.0, "y": 4.0, "z": 0.0}
    assert vector_norm(a) == 5.0
    assert cosine(a, b) == pytest.approx(1.0)
    assert cosine(a, {"z": 1.0}) == 0.0 and cosine(a, {}) == 0.0
    assert cosine(a, {"x": 1.0}) == pytest.approx(0.6) == cosine(a, {"x": 1.0}, 5.0, 1.0)


def test_cosine_and_norm_are_the_plain_sums_to_the_last_bit():
    """The dot product over shared features only, in the smaller vector's order, and the norm
    by ``map``: bit for bit the sums of every product in order (what the scores were first
    computed with; a changed order of addition would fail here)."""
    import math
    import random
    rng = random.Random(3)
    words = [f"t{i}" for i in range(400)]
    for _ in range(300):
        a = {w: rng.random() * 9 for w in rng.sample(words, rng.randint(1, 120))}
        b = {w: rng.random() * 9 for w in rng.sample(words, rng.randint(1, 120))}
        small, big = (a, b) if len(a) <= len(b) else (b, a)
        dot = sum(v * big.get(k, 0.0) for k, v in small.items())
        na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
        assert vector_norm(a) == na and vector_norm(b) == nb
        assert cosine(a, b) == (dot / (na * nb) if dot > 0 else 0.0)
