"""A bounded memo of values computed from an object, keyed by the object's identity.

The aggregator's signatures are never changed in place (a revision makes a new one), so what is
computed from one (its addends, its one-article story, its view under the idfs of the moment)
can be kept by identity.  An entry holds its object, so the object's ``id`` cannot be reused
while the entry lives; past ``limit`` entries the memo is forgotten at once (a memory bound).
"""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """``get(obj, make)``: ``make(obj)``, computed once per object while remembered."""

    __slots__ = ("limit", "_entries")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[int, tuple[K, V]] = {}

    def get(self, obj: K, make: Callable[[K], V]) -> V:
        hit = self._entries.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self._entries) >= self.limit:
            self._entries.clear()
        value = make(obj)
        self._entries[id(obj)] = (obj, value)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
