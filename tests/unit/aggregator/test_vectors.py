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
