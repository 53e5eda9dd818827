from __future__ import annotations

import pytest

from services.aggregator.join import join_step


@pytest.mark.parametrize("first, second", [("quotes", "entities"), ("entities", "quotes")])
def test_joins_in_either_order(first, second):
    entry, done = join_step(None, first, "h1", {"k": first})
    assert done is None and entry == {"h1": {first: {"k": first}}}
    entry, done = join_step(entry, second, "h1", {"k": second})
    assert entry is None
    assert done == ({"k": "quotes"}, {"k": "entities"})


def test_revision_halves_never_mix():
    entry, done = join_step(None, "quotes", "old", {"v": "old"})
    entry, done = join_step(entry, "entities", "new", {"v": "new"})
    assert done is None and set(entry) == {"old", "new"}
    entry, done = join_step(entry, "quotes", "new", {"v": "new-q"})
    assert done == ({"v": "new-q"}, {"v": "new"})
    assert set(entry) == {"old"}


def test_unknown_kind_rejected():
    with pytest.raises(ValueError):
        join_step(None, "other", "h", {})
