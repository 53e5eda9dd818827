"""Feature numbering for the score bounds (:mod:`bounds`): each feature of one kind (body terms,
entity name tokens, headline words) gets an integer id once, and its document frequency is kept
in an array beside the index's ``Counter``, so the bounds of 50 stories read the document
frequencies of their ~20,000 features as one array gather instead of a dict lookup each.

The array is kept equal to the ``Counter`` (``StoryIndex.observe`` changes both by the same
integer); ids are never reused while they are held, and a vocabulary that has grown to more
than twice the features still counted (names come and go with the news) is renumbered by
``StoryIndex`` (:meth:`Vocab.renumbered`), which then rebuilds what holds ids (the stories'
bound sides).
"""
from __future__ import annotations

from collections import Counter
from itertools import repeat
from typing import Collection, Iterable

import numpy as np

ID = np.int32
RENUMBER_SLACK = 4096   # ids held beyond twice the counted features before renumbering (a cost bound)


class Vocab:
    """Feature -> id, and per id its document frequency (float: exact for counts below 2**53)."""

    def __init__(self, df: Counter | None = None) -> None:
        self.ids: dict[str, int] = {}
        self.df = np.zeros(1024)
        self.scratch = np.zeros(1024)      # all zero between calls of :meth:`gather`
        for k, v in (df or {}).items():
            i = self.id(k)          # first: it may grow (replace) the array
            self.df[i] = v

    def id(self, key: str) -> int:
        i = self.ids.get(key)
        if i is None:
            i = self.ids[key] = len(self.ids)
            if i >= len(self.df):
                self.df = np.concatenate([self.df, np.zeros(len(self.df))])
                self.scratch = np.zeros(len(self.df))
        return i

    def add(self, keys: Iterable[str], sign: int) -> None:
        df, ids = self.df, self.ids
        for k in keys:
            i = ids.get(k)
            if i is None:
                i = self.id(k)
                df = self.df
            df[i] += sign

    def ids_of(self, keys: Collection[str]) -> np.ndarray:
        """The ids of ``keys`` (a key without one is given one)."""
        n = len(keys)
        out = np.fromiter(map(self.ids.get, keys, repeat(-1)), ID, n)
        if n and out.min() < 0:
            out = np.fromiter((self.id(k) for k in keys), ID, n)
        return out

    def gather(self, weights: dict[str, float], ids: np.ndarray) -> np.ndarray:
        """``weights`` (a sparse vector) read at ``ids``: 0 where it has no weight."""
        ids_get = self.ids.get
        mine = [(i, w) for i, w in zip(map(ids_get, weights, repeat(-1)), weights.values()) if i >= 0]
        if not mine:
            return np.zeros(len(ids))
        at = np.fromiter((i for i, _ in mine), np.int64, len(mine))
        scratch = self.scratch
        scratch[at] = np.fromiter((w for _, w in mine), float, len(mine))
        out = scratch[ids]
        scratch[at] = 0.0
        return out

    def renumbered(self, df: Counter) -> bool:
        """Whether the vocabulary is more than twice the features still counted (then the index
        renumbers: a new :class:`Vocab` from the ``Counter``)."""
        return len(self.ids) > 2 * len(df) + RENUMBER_SLACK
