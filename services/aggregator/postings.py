"""The inverted index from features to stories, with the stories numbered, so that an arriving
article's candidate stories are ranked by numpy over whole posting lists (:meth:`Postings.top`)
instead of a Python loop per posting.

A story's number is kept while it stays indexed (through every re-posting of an open story) and
reused once the story leaves the index, so the vote array of a ranking is as long as the most
stories ever indexed at once, not as the stream.

A list is a set of numbers while short; past ``LONG`` stories it is kept as an array as well
(:class:`LongList`: added to and removed from in place), so the common features' lists, the
longest, are read without converting tens of thousands of Python ints per article.
"""
from __future__ import annotations

import heapq
from typing import Iterable, Optional

import numpy as np

# a list of more stories than this is kept as an array too (and back to a set below half of it):
# a cost split (a short list converts faster than an array and its index cost to keep), not a
# quality knob; the lists' content and every ranking are the same either way
LONG = 64


class LongList:
    """A long posting list: its numbers in an array (the first ``size`` slots) and their slots
    (``slot``: number -> index), so adding, removing and testing a number cost O(1) and reading
    the list is a slice.  Iterates, sizes and tests membership like the set it replaces."""

    __slots__ = ("array", "size", "slot")

    def __init__(self, numbers: Iterable[int]) -> None:
        numbers = list(numbers)
        self.array = np.empty(max(16, 2 * len(numbers)), np.intp)
        self.array[:len(numbers)] = numbers
        self.size = len(numbers)
        self.slot = {n: i for i, n in enumerate(numbers)}

    def add(self, n: int) -> None:
        if n in self.slot:
            return
        if self.size == len(self.array):
            self.array = np.concatenate([self.array, np.empty(len(self.array), np.intp)])
        self.array[self.size] = n
        self.slot[n] = self.size
        self.size += 1

    def discard(self, n: int) -> None:
        i = self.slot.pop(n, None)
        if i is None:
            return
        self.size -= 1
        if i != self.size:                      # the last number takes the freed slot
            last = int(self.array[self.size])
            self.array[i] = last
            self.slot[last] = i

    def numbers(self) -> np.ndarray:
        return self.array[:self.size]

    def __iter__(self):
        return iter(self.slot)

    def __len__(self) -> int:
        return self.size

    def __contains__(self, n: object) -> bool:
        return n in self.slot

    def errors(self) -> list[str]:
        """Where the array and the slots disagree (empty when consistent)."""
        arr = self.numbers().tolist()
        out = [] if len(arr) == len(self.slot) else [f"{len(arr)} numbers in the array, {len(self.slot)} slots"]
        return out + [f"number {n} in slot {i}, the array holds {arr[i] if i < len(arr) else None}"
                      for n, i in self.slot.items() if i >= len(arr) or arr[i] != n]


class Postings:
    """Feature ("e:key", "t:term") -> the numbers of the stories posted under it."""

    def __init__(self) -> None:
        self.lists: dict[str, set[int] | LongList] = {}
        self.number: dict[str, int] = {}           # story id -> its number
        self.ids: list[Optional[str]] = []         # number -> story id (None: free)
        self._free: list[int] = []

    def post(self, sid: str, features: Iterable[str]) -> None:
        n = self.number.get(sid)
        if n is None:
            n = self._free.pop() if self._free else len(self.ids)
            if n == len(self.ids):
                self.ids.append(sid)
            else:
                self.ids[n] = sid
            self.number[sid] = n
        lists = self.lists
        for f in features:
            s = lists.get(f)
            if s is None:
                lists[f] = {n}
            else:
                s.add(n)
                if len(s) > LONG and type(s) is set:
                    lists[f] = LongList(s)

    def unpost(self, sid: str, features: Iterable[str]) -> None:
        n = self.number.get(sid)
        if n is None:
            return
        lists = self.lists
        for f in features:
            s = lists.get(f)
            if s is not None:
                s.discard(n)
                if not s:
                    del lists[f]
                elif type(s) is LongList and len(s) < LONG // 2:
                    lists[f] = set(s)

    def release(self, sid: str) -> None:
        """The story left the index (its features unposted before): its number is free."""
        n = self.number.pop(sid, None)
        if n is not None:
            self.ids[n] = None
            self._free.append(n)

    def stories(self, feature: str) -> set[str]:
        """The ids of the stories posted under ``feature``."""
        ids = self.ids
        return {ids[n] for n in self.lists.get(feature, ())}

    def as_sets(self) -> dict[str, set[str]]:
        """Every posting list as story ids (for checks and tests: built on each call)."""
        return {f: self.stories(f) for f in self.lists}

    def size(self, feature: str) -> int:
        return len(self.lists.get(feature, ()))

    def top(self, feats: list[tuple[str, float]], limit: int) -> list[str]:
        """The ``limit`` story ids with the highest vote, a story's vote being the summed weight
        (``feats``: (feature, weight)) of the features it is posted under (ties: the smaller id).
        Every list is read whole, by numpy: each vote is the sum of its weights in the order of
        ``feats`` from 0, one addition at a time, so the same floating-point value as
        :meth:`top_reference` sums (tests/unit/aggregator/test_postings.py)."""
        if any(w <= 0 for _, w in feats):          # "voted" is read as "vote > 0" below
            return self.top_reference(feats, limit)
        votes = np.zeros(len(self.ids))
        lists = self.lists
        for f, w in feats:
            s = lists.get(f)
            if s:
                a = s.numbers() if type(s) is LongList else np.fromiter(s, np.intp, len(s))
                votes[a] += w                   # the numbers in one list are distinct
        hit = np.flatnonzero(votes)
        if hit.size > limit:
            vals = votes[hit]
            kth = np.partition(vals, hit.size - limit)[hit.size - limit]
            hit = hit[vals >= kth]
        ids = self.ids
        return [sid for _, sid in sorted((-float(votes[n]), ids[n]) for n in hit.tolist())[:limit]]

    def top_reference(self, feats: list[tuple[str, float]], limit: int) -> list[str]:
        """:meth:`top` in plain Python, a dictionary of votes added to posting by posting (the
        ranking as it was computed before :meth:`top`; the bench's baseline and the tests'
        reference)."""
        votes: dict[str, float] = {}
        ids = self.ids
        for f, w in feats:
            for n in self.lists.get(f, ()):
                sid = ids[n]
                votes[sid] = votes.get(sid, 0) + w
        if len(votes) > limit:
            kth = heapq.nlargest(limit, votes.values())[-1]
            votes = {sid: v for sid, v in votes.items() if v >= kth}
        return [sid for sid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]

    def consistency_errors(self) -> list[str]:
        """Numbers and ids agree; no list holds a free number."""
        errors = [f"{sid} numbered {n}, which names {self.ids[n] if n < len(self.ids) else None}"
                  for sid, n in self.number.items() if n >= len(self.ids) or self.ids[n] != sid]
        free = {n for n, sid in enumerate(self.ids) if sid is None}
        errors += [f"{f} lists the free number {n}" for f, s in self.lists.items() for n in set(s) & free]
        errors += [f"{f}: {e}" for f, s in self.lists.items() if type(s) is LongList for e in s.errors()]
        errors += [f"{f} is a {type(s).__name__} of {len(s)}" for f, s in self.lists.items()
                   if (type(s) is set and len(s) > LONG) or (type(s) is LongList and len(s) < LONG // 2)]
        return errors
