"""Entities across articles: keys, short-name merging, exact add/subtract, ranking."""
from __future__ import annotations

from schemas.models import EntityMention, EntitySpan
from services.aggregator import entities as en
from tests.unit.aggregator.test_helpers import article, ent


def test_local_key_unifies_spelling():
    k = en.local_key
    assert k("Kim Jong-Un") == k("Kim Jong Un") == k("kim  jong un")
    assert k("U.S.") == k("US")
    assert k("Norwick's") == k("Norwick\u2019s") == k("Norwick")
    assert k("The Calder Civil Defence") == k("Calder Civil Defence")


def _agg(*articles):
    agg = {}
    for aid, (_, e) in articles:
        en.add_entities(agg, en.article_entities(e), aid, +1)
    return agg


def test_surname_merges_into_full_name_and_counts():
    a1 = article("a1", "t", [ent("Ada Brennor", n=2, in_title=True), ent("Norwick", "GPE")], {"x": 1})
    a2 = article("a2", "t", [ent("Brennor", n=3), ent("Norwick", "GPE", n=2)], {"x": 1})
    merged = en.merged_entities(_agg(("a1", a1), ("a2", a2)), speaker_keys=["ada brennor"])
    top = merged[0]
    assert top["name"] == "Ada Brennor" and top["type"] == "PERSON"
    assert set(top["aliases"]) == {"Ada Brennor", "Brennor"}
    assert top["mentions"] == 5 and top["articles"] == 2 and top["in_headlines"] == 1 and top["quoted"]
    assert [e["rank"] for e in merged] == [1, 2]


def test_word_recurrences_are_not_counted_in_the_story():
    _, e = article("a1", "t", [ent("Doves", "ORG", n=2)], {"x": 1})
    before = en.article_entities(e)
    e.entities[0].mentions.append(EntitySpan(text="Doves", start=90, end=95, word_recurrence=True))
    assert en.article_entities(e) == before and before[0]["mentions"] == 2



def test_an_entity_of_marked_mentions_only_is_not_in_the_story():
    _, e = article("a1", "t", [ent("Doves", "ORG", n=2)], {"x": 1})
    before = en.article_entities(e)
    e.entities.append(EntityMention(name="Vexa Browser", type="ORG", mentions=[
        EntitySpan(text="Vexa Browser", start=90, end=102, word_recurrence=True)]))
    assert en.article_entities(e) == before
    e.entities[-1].mentions[0].word_recurrence = False
    assert [c["key"] for c in en.article_entities(e)] == ["doves", "vexa browser"]

def test_ambiguous_short_name_is_not_merged():
    a1 = article("a1", "t", [ent("Ada Brennor"), ent("Tom Brennor"), ent("Brennor")], {"x": 1})
    keys = {e["key"] for e in en.merged_entities(_agg(("a1", a1)))}
    assert keys == {"ada brennor", "tom brennor", "brennor"}


def test_subtract_restores_exactly():
    a1 = article("a1", "t", [ent("Ada Brennor", n=2)], {"x": 1})
    a2 = article("a2", "t", [ent("Ada Brennor"), ent("Port Calder", "GPE")], {"x": 1})
    agg = _agg(("a1", a1))
    before = repr(agg)
    en.add_entities(agg, en.article_entities(a2[1]), "a2", +1)
    en.add_entities(agg, en.article_entities(a2[1]), "a2", -1)
    assert repr(agg) == before


def _targets(*names_by_article):
    arts = [(f"a{i}", article(f"a{i}", "t", [ent(n) for n in names], {"x": 1}))
            for i, names in enumerate(names_by_article)]
    return en.resolve_short_names(_agg(*arts))


def test_name_without_middle_name_joins_the_full_name():
    assert _targets(["Ana Maria Sorel"], ["Ana Sorel"]) == {"ana sorel": "ana maria sorel"}


def test_middle_name_merge_needs_one_candidate():
    assert "ana sorel" not in _targets(["Ana Maria Sorel"], ["Ana Lucia Sorel"], ["Ana Sorel"])


def test_clipped_forename_joins_the_full_forename():
    assert _targets(["Frederick Rask"], ["Fred Rask"]) == {"fred rask": "frederick rask"}
    # two letters are too few to tell a clipped name ("Al") from another person
    assert _targets(["Alvar Rask"], ["Al Rask"]) == {}
    # a different forename of the same family stays apart
    assert _targets(["Frederick Rask"], ["Lotte Rask"]) == {}


def _typed_targets(*ents_by_article):
    arts = [(f"a{i}", article(f"a{i}", "t", [ent(n, t) for n, t in ents], {"x": 1}))
            for i, ents in enumerate(ents_by_article)]
    return en.resolve_short_names(_agg(*arts))


def test_surname_joins_when_its_full_names_are_one_person():
    # "Lena Korr" is "Lena Maria Korr" without the middle name, so "Korr" has one person to join
    assert _targets(["Lena Maria Korr"], ["Lena Korr"], ["Korr"]) == {
        "lena korr": "lena maria korr", "korr": "lena maria korr"}
    # two different forenames stay two people, and the surname stays ambiguous
    assert _targets(["Lena Korr"], ["Piet Korr"], ["Korr"]) == {}


def test_acronym_joins_its_expansion_from_another_article():
    assert _typed_targets([("Brenton Water Authority", "ORG")], [("BWA", "ORG")]) == {
        "bwa": "brenton water authority"}
    # a hyphenated name gives an initial per part
    assert _typed_targets([("Kessel-Varn", "ORG")], [("KV", "ORG")]) == {"kv": "kessel varn"}


def test_acronym_with_two_expansions_or_a_person_stays_apart():
    assert _typed_targets([("Brenton Water Authority", "ORG")], [("Bay Waste Agency", "ORG")],
                          [("BWA", "ORG")]) == {}
    assert _typed_targets([("Tomas Arvell", "PERSON")], [("TA", "ORG")]) == {}
    # a word that is not written as an acronym is not one
    assert _typed_targets([("Brenton Water Authority", "ORG")], [("Bwa", "ORG")]) == {}


def test_one_off_span_with_a_neighbouring_word_joins_the_person():
    # a nationality taken in front of a person (which changed the tag); the name stands alone
    # in two other articles
    assert _typed_targets([("Lena Korr", "PERSON")], [("Lena Korr", "PERSON")],
                          [("Dutch Lena Korr", "ORG")]) == {"dutch lena korr": "lena korr"}
    # a headline word behind a name still tagged as a person
    assert _typed_targets([("Lena Korr", "PERSON")], [("Lena Korr", "PERSON")],
                          [("Lena Korr Wins", "PERSON")]) == {"lena korr wins": "lena korr"}


def test_longer_names_of_things_stay_apart_from_the_name_inside():
    # a thing named after a person, and a name of a thing that contains a place
    assert _typed_targets([("Lena Korr", "PERSON")], [("Lena Korr", "PERSON")],
                          [("Lena Korr Institute", "ORG")]) == {}
    assert _typed_targets([("Orland", "GPE")], [("Orland", "GPE")], [("Orland Post", "ORG")]) == {}
    # the person's name must recur on its own: one article each proves nothing, and a form
    # used in two articles is a name of its own
    assert _typed_targets([("Lena Korr", "PERSON")], [("Dutch Lena Korr", "ORG")]) == {}
    assert _typed_targets([("Lena Korr", "PERSON")], [("Lena Korr", "PERSON")], [("Dutch Lena Korr", "ORG")],
                          [("Dutch Lena Korr", "ORG")]) == {}


def test_nickname_and_surname_join_the_nicknamed_name_from_another_article():
    assert _targets(['Luis Gerardo "Jerry" Ortano'], ["Jerry Ortano"], ["Ortano"]) == {
        "jerry ortano": "luis gerardo ortano", "ortano": "luis gerardo ortano"}
    assert _targets(["Kimon (Kiko) Graal"], ["Kiko Graal"]) == {"kiko graal": "kimon graal"}
    # another forename with the surname is another person
    assert _targets(['Luis Gerardo "Jerry" Ortano'], ["Pablo Ortano"]) == {}
