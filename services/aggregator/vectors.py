"""Sparse vectors as ``{feature: weight}`` dicts: norm and cosine (the scores' arithmetic)."""
from __future__ import annotations

import math
from operator import mul
from typing import Mapping, Optional


def vector_norm(a: Mapping[str, float]) -> float:
    vals = a.values()
    return math.sqrt(sum(map(mul, vals, vals)))


def cosine(a: Mapping[str, float], b: Mapping[str, float], a_norm: Optional[float] = None,
           b_norm: Optional[float] = None) -> float:
    """Cosine of two sparse vectors (0 when either is empty or they share nothing); norms the
    caller already has may be passed in.

    The dot product sums the products of the shared features in the smaller vector's order,
    left to right: the same float as summing ``v * big.get(k, 0.0)`` over all its features (a
    feature the other lacks adds 0.0, which leaves a float sum unchanged), without a Python
    step per feature (the loops run in C: the scores' hottest line)."""
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    shared = list(filter(big.__contains__, small))
    dot = sum(map(mul, map(small.__getitem__, shared), map(big.__getitem__, shared)))
    if dot <= 0:
        return 0.0
    return dot / ((vector_norm(a) if a_norm is None else a_norm) * (vector_norm(b) if b_norm is None else b_norm))
