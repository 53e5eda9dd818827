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


def test_tokens_inside_character_ranges_in_one_sweep():
    """``_in_spans`` (one sweep) marks exactly the tokens whose first character lies in some range,
    as checking every range per token does; the ranges may overlap, nest, touch or be empty."""
    import random

    import spacy

    from services.quotes.names import _in_spans
    nlp = spacy.blank("en")
    rng = random.Random(7)
    inside_seen = outside_seen = 0
    for _ in range(200):
        doc = nlp(" ".join(rng.choice(["a", "bb", "c,", '"dd', "e.", "ff'"]) for _ in range(rng.randint(0, 40))))
        n = len(doc.text)
        spans = [(a, a + rng.randint(0, 15)) for a in (rng.randint(0, max(n, 1)) for _ in range(rng.randint(0, 5)))]
        want = [any(a <= t.idx < b for a, b in spans) for t in doc]
        assert _in_spans(doc, spans) == want
        inside_seen += sum(want)
        outside_seen += len(want) - sum(want)
    assert inside_seen > 100 and outside_seen > 100
