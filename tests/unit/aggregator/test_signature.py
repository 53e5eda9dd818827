"""Signatures: an article's salient features, a story's exactly reversible sums, the light copy."""
from __future__ import annotations

from schemas.models import EntityMention, EntitySpan
from services.aggregator.params import ClusterParams
from services.aggregator.signature import StorySignature, article_signature, light_signature, story_of, title_words
from tests.unit.aggregator.test_helpers import Q1, Q2, article, ent, flood, quake


def test_title_words_are_stemmed_without_stop_words():
    assert title_words("The floods hit Norwick, says the mayor") == ["flood", "hit", "mayor", "norwick"]


def test_an_entity_weighs_by_type_mentions_and_headline_and_other_types_are_left_out():
    p = ClusterParams()
    _, e = article("a1", "Ada Brennor visits", [ent("Ada Brennor", n=1, in_title=True), ent("Norwick", "GPE", n=1),
                                                ent("Tuesday", "DATE", n=3)], {"visit": 1})
    sig = article_signature(e, params=p)
    assert set(sig.entities) == {"ada brennor", "norwick"}
    assert sig.entities["ada brennor"].weight == p.type_weight["PERSON"] * p.title_entity_boost
    assert sig.entities["norwick"].weight == p.type_weight["GPE"] and sig.entities["norwick"].type == "GPE"
    assert sig.published == ["2031-03-01"] and sig.own_dates == [] and sig.quotes == []


def test_word_recurrences_do_not_weigh_in_the_signature():
    _, plain = article("a1", "Doves win", [ent("Doves", "ORG", n=2)], {"win": 1})
    _, marked = article("a1", "Doves win", [ent("Doves", "ORG", n=2)], {"win": 1})
    marked.entities[0].mentions += [EntitySpan(text="Doves", start=40 + 10 * i, end=45 + 10 * i, word_recurrence=True)
                                    for i in range(3)]
    assert article_signature(marked).to_json() == article_signature(plain).to_json()
    # an unmarked third mention does weigh
    _, three = article("a1", "Doves win", [ent("Doves", "ORG", n=3)], {"win": 1})
    assert article_signature(three).entities["doves"].weight > article_signature(plain).entities["doves"].weight



def test_an_entity_of_marked_mentions_only_has_no_weight_in_the_signature():
    _, plain = article("a1", "Doves win", [ent("Doves", "ORG", n=2)], {"win": 1})
    _, extra = article("a1", "Doves win", [ent("Doves", "ORG", n=2)], {"win": 1})
    extra.entities.append(EntityMention(name="Vexa Browser", type="ORG", mentions=[
        EntitySpan(text="Vexa Browser", start=60 + 20 * i, end=72 + 20 * i, word_recurrence=True) for i in range(2)]))
    assert article_signature(extra).to_json() == article_signature(plain).to_json()
    extra.entities[-1].mentions[0].word_recurrence = False   # one counted mention: it weighs
    assert "vexa browser" in article_signature(extra).entities

def test_a_story_signature_subtracts_exactly_what_it_added():
    (q1, e1), (q2, e2), (q3, e3) = flood("f1", 0, [Q1]), flood("f2", 1, [Q2]), quake("q1", 2)
    a1, a2, a3 = (article_signature(e, q) for q, e in ((q1, e1), (q2, e2), (q3, e3)))
    sig = story_of([a1, a2])
    before = sig.to_json()
    sig.add(a3)
    assert sig.articles == 3 and "ilse varga" in sig.entities
    sig.add(a3, -1)
    assert sig.to_json() == before
    assert sig.entities["ada brennor"].articles == 2 and sig.entities["ada brennor"].type == "PERSON"
    assert StorySignature.from_json(before).to_json() == before


def test_the_light_signature_keeps_the_heaviest_features_in_a_copy():
    sigs = [article_signature(e, q) for q, e in (flood("f1"), flood("f2", 1), quake("q1", 2))]
    full = story_of(sigs)
    light = light_signature(full, ClusterParams(light_entities=2, light_terms=3))
    heaviest = sorted(full.entities, key=lambda k: -full.entities[k].weight)[:2]
    assert list(light.entities) == heaviest and len(light.terms) == 3 and light.title == full.title
    light.entities[heaviest[0]].weight = 0.0
    assert full.entities[heaviest[0]].weight > 0.0


def _reference_sum(d: dict, items: dict, sign: int) -> None:
    # the sums as first written: one key at a time, in order
    for k, v in items.items():
        d[k] = round(d.get(k, 0.0) + sign * v, 6)
        if d[k] <= 1e-9:
            del d[k]


def _reference_add(st: StorySignature, art, sign: int) -> None:
    import math
    from services.aggregator.signature import StoryEntity
    st.articles += sign
    for k, e in art.entities.items():
        rec = st.entities.get(k)
        if rec is None:
            rec = st.entities[k] = StoryEntity(0.0, 0, {})
        rec.weight = round(rec.weight + sign * e.weight, 6)
        rec.articles += sign
        rec.types[e.type] = rec.types.get(e.type, 0) + sign
        if rec.types[e.type] <= 0:
            del rec.types[e.type]
        if rec.articles <= 0:
            del st.entities[k]
        else:
            rec.type = max(rec.types.items(), key=lambda kv: (kv[1], kv[0]))[0]
    _reference_sum(st.terms, {t: 1.0 + math.log(c) for t, c in art.terms.items()}, sign)
    _reference_sum(st.title, dict.fromkeys(art.title, 1.0), sign)
    _reference_sum(st.published, dict.fromkeys(art.published, 1.0), sign)
    _reference_sum(st.own_dates, dict.fromkeys(art.own_dates, 1.0), sign)
    _reference_sum(st.shingles, dict.fromkeys({sh for q in art.quotes for sh in q}, 1.0), sign)


def test_story_sums_equal_the_one_key_at_a_time_sums_values_and_order():
    """The sums add an article's new keys in one step and sum only the keys the story has: the
    same floats in the same key order as summing key by key (random articles, joins and leaves)."""
    import random
    from services.aggregator.signature import ArticleSignature, EntityWeight
    rng = random.Random(7)
    words = [f"w{i}" for i in range(60)]

    def art() -> ArticleSignature:
        terms = {w: rng.choice([1, 1, 1, 2, 3, 7]) for w in rng.sample(words, rng.randint(0, 25))}
        ents = {n: EntityWeight(round(rng.random() * 3, 6), rng.choice(["PERSON", "ORG", "GPE"]))
                for n in rng.sample(["ada", "bo", "cy", "di", "ed"], rng.randint(0, 3))}
        return ArticleSignature(entities=ents, terms=terms, title=sorted(rng.sample(words, 3)),
                                own_dates=[f"2031-03-0{rng.randint(1, 3)}"] if rng.random() < 0.5 else [],
                                published=[f"2031-03-0{rng.randint(1, 3)}"],
                                quotes=[sorted(rng.sample(words, 4))] if rng.random() < 0.3 else [])
    arts = [art() for _ in range(40)]
    fast, ref = StorySignature(), StorySignature()
    inside: list = []
    for step in range(400):
        if inside and rng.random() < 0.4:
            a = inside.pop(rng.randrange(len(inside)))
            sign = -1
        else:
            a = rng.choice(arts)
            inside.append(a)
            sign = 1
        fast.add(a, sign)
        _reference_add(ref, a, sign)
        for name in ("terms", "title", "published", "own_dates", "shingles"):
            got, want = getattr(fast, name), getattr(ref, name)
            assert list(got.items()) == list(want.items()), (step, name)
        assert [(k, e.weight, e.articles, e.types, e.type) for k, e in fast.entities.items()] == \
            [(k, e.weight, e.articles, e.types, e.type) for k, e in ref.entities.items()], step
