"""Cross-validation folds made of whole topics.

A *topic* is a gold story id without its ``plus`` suffix (``"3"`` and
``"3plus"`` are two events of one topic, and share vocabulary and people):
a fold holds every article of its topics, so a held-out fold is news on
events that nothing was fitted or chosen on.

Folds are deterministic: topics sorted by size (then id) are dealt, largest
first, to the fold with the fewest articles so far, so folds are balanced and
the same data always gives the same folds.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

__all__ = ["DEFAULT_FOLDS", "assign_folds", "fold_indices", "topic_of"]

#: The issue's default: five folds (enough topics per fold on 24-52 topics).
DEFAULT_FOLDS = 5


def topic_of(story: str) -> str:
    """``"3plus"`` -> ``"3"``; ``"3"`` -> ``"3"``."""
    story = str(story or "")
    return story[:-4] if story.endswith("plus") else story


def assign_folds(records: Sequence[dict], k: int = DEFAULT_FOLDS) -> dict[str, int]:
    """``topic -> fold`` (0..k-1) for the records' ``story`` fields, balanced by article count.

    Raises ``ValueError`` for ``k < 2`` or fewer topics than folds.
    """
    sizes = Counter(topic_of(r.get("story", "")) for r in records)
    if k < 2:
        raise ValueError(f"--folds must be at least 2, got {k}")
    if len(sizes) < k:
        raise ValueError(f"{len(sizes)} topic(s) cannot make {k} folds")
    load = [0] * k
    out: dict[str, int] = {}
    for topic, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        fold = min(range(k), key=lambda f: (load[f], f))
        out[topic] = fold
        load[fold] += n
    return out


def fold_indices(records: Sequence[dict], k: int = DEFAULT_FOLDS) -> list[list[int]]:
    """Record indices of each fold, in record order."""
    folds = assign_folds(records, k)
    out: list[list[int]] = [[] for _ in range(k)]
    for i, r in enumerate(records):
        out[folds[topic_of(r.get("story", ""))]].append(i)
    return out
