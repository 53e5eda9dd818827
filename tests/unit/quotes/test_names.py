"""The article's registry of names."""
from __future__ import annotations

from services.quotes.names import is_thing_role


def test_named_thing_is_not_a_person():
    assert is_thing_role("a navy frigate") and is_thing_role("the cargo ship")
    assert not is_thing_role("the ship's captain") and not is_thing_role("a senior official")
