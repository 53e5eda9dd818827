"""The article's registry of names."""
from __future__ import annotations

from services.quotes.names import is_thing_role


def test_named_thing_is_not_a_person():
    assert is_thing_role("a navy frigate") and is_thing_role("the cargo ship")
    assert not is_thing_role("the ship's captain") and not is_thing_role("a senior official")


def test_name_with_a_person_noun_in_apposition_after_it_is_a_person():
    from services.common.nlp import parse_articles
    from services.quotes.names import build_registry
    title, body = parse_articles([("Vote", "Maren Holt, the union leader, spoke after Mayor Piet Alder left "
                                           "the room on Tuesday.")])[0]
    people = {p.name: p for p in build_registry(body, title).people}
    assert "Maren Holt" in people and not people["Maren Holt"].org
