"""Sparse vectors as ``{feature: weight}`` dicts: norm and cosine (the scores' arithmetic)."""
from __future__ import annotations

import math
from typing import Mapping, Optional


def vector_norm(a: Mapping[str, float]) -> float:
    return math.sqrt(sum(v * v for v in a.values()))


def cosine(a: Mapping[str, float], b: Mapping[str, float], a_norm: Optional[float] = None,
           b_norm: Optional[float] = None) -> float:
    """Cosine of two sparse vectors (0 when either is empty or they share nothing); norms the
    caller already has may be passed in."""
    if not a or not b:
        return 0.0
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * big.get(k, 0.0) for k, v in small.items())
    if dot <= 0:
        return 0.0
    return dot / ((vector_norm(a) if a_norm is None else a_norm) * (vector_norm(b) if b_norm is None else b_norm))
