"""The identity memo: once per object while remembered, by identity not equality, bounded."""
from __future__ import annotations

from services.aggregator.memo import IdentityMemo


def test_a_value_is_made_once_per_object_by_identity_and_forgotten_past_the_limit():
    made = []

    def make(obj: list) -> int:
        made.append(obj)
        return len(made)
    memo: IdentityMemo[list, int] = IdentityMemo(limit=2)
    a, b, equal_to_a = [1], [2], [1]
    assert memo.get(a, make) == 1 and memo.get(a, make) == 1          # once
    assert memo.get(equal_to_a, make) == 2                              # equal is not the same object
    assert len(memo) == 2
    assert memo.get(b, make) == 3 and len(memo) == 1                    # full: forgotten at once
    assert memo.get(a, make) == 4                                       # made again after forgetting
    memo.clear()
    assert len(memo) == 0 and memo.get(b, make) == 5
