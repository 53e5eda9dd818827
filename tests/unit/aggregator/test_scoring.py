"""Scores: the conflict, the own-date and time terms, the best story."""
from __future__ import annotations

import random

import pytest

from services.aggregator.engine import StoryEngine
from services.aggregator.names import acronym
from services.aggregator.signature import article_signature
from tests.unit.aggregator.test_helpers import P, T0, article, ent, flood, quake, run


def _flood_again(aid, hours, own_date=None):
    """Another flood report naming the same mayor and town, worded differently."""
    return article(aid, "Norwick floods again, Mayor Ada Brennor says",
                   [ent("Ada Brennor", n=2, in_title=True), ent("Norwick", "GPE", n=3, in_title=True)],
                   {"flood": 3, "storm": 2, "damage": 2, "insurance": 2, "river": 1, "rain": 1},
                   hours=hours, own_date=own_date, dates=[own_date] if own_date else [])


def test_own_dates_years_apart_split_the_same_kind_of_event_in_the_same_place():
    def story_of_third(own_date):
        _, ups = run([flood("f1", own_date="2031-02-28", dates=["2031-02-28"]),
                       flood("f2", 1, own_date="2031-02-27", dates=["2031-02-27"]),
                       _flood_again("f3", 2, own_date)])
        assert ups[0].story_id == ups[1].story_id
        return ups[2].story_id == ups[0].story_id
    assert story_of_third(None)              # no own date: the names and words decide (joins)
    assert story_of_third("2031-02-26")      # two days apart: the same flood
    assert not story_of_third("2029-03-01")  # two years apart: another flood


def _relief_conflict(story_ents, article_ents):
    """The conflict of a relief report naming ``article_ents`` against a two-report story naming
    ``story_ents`` (both: lists of entity mentions)."""
    def relief(aid, ents, hours=0):
        return article(aid, "Relief convoy reaches the flooded valley", ents,
                       {"relief": 3, "convoy": 2, "flood": 2, "aid": 2}, hours=hours)

    eng, ups = run([relief("s1", story_ents), relief("s2", story_ents, 1)])
    q, e = relief("a", article_ents, 2)
    return eng.scorer.conflict(article_signature(e, q), eng.scorer.story_view(eng.index.sigs[ups[0].story_id]))


def test_an_acronym_is_not_a_conflicting_name():
    """A story whose core is "Northern Relief Agency" and a report that calls it "NRA": no
    conflict, in either direction; a different agency still conflicts."""
    assert acronym("northern relief agency") == "nra" and acronym("norwick") == ""
    assert acronym("bank of the north") == "bn"

    def conflict(story_agency, article_agency):
        return _relief_conflict([ent(story_agency, "ORG", n=3, in_title=True), ent("Norwick", "GPE", n=2)],
                                [ent(article_agency, "ORG", n=3, in_title=True), ent("Norwick", "GPE", n=2)])

    assert conflict("Northern Relief Agency", "NRA") == 0.0 == conflict("NRA", "Northern Relief Agency")
    assert conflict("Northern Relief Agency", "Coastal Aid Trust") > 0.0


def test_a_site_is_compared_with_sites_only():
    """A report naming the street where it happened, and not the town the story's reports name,
    is not about another place; another town, or another site, still is."""
    town = [ent("Norwick", "GPE", n=3, in_title=True)]
    assert _relief_conflict(town, [ent("Osk Street", "FAC", n=3)]) == 0.0
    assert _relief_conflict(town, [ent("Eastholm", "GPE", n=3)]) > 0.0
    site = [ent("Norwick", "GPE", n=2), ent("Harl Quay", "FAC", n=3)]
    assert _relief_conflict(site, [ent("Norwick", "GPE", n=2), ent("Osk Street", "FAC", n=3)]) > 0.0


def test_an_organisation_weighs_half_a_person_in_the_conflict():
    """Organisations are named in passing (outlets, agencies): another one than the story's is
    half the evidence of another event that another person is."""
    def conflict(type_):
        return _relief_conflict([ent("Vell Ardan", type_, n=3, in_title=True), ent("Norwick", "GPE", n=2)],
                                [ent("Ostra Kemp", type_, n=3, in_title=True), ent("Norwick", "GPE", n=2)])

    assert conflict("PERSON") > 0.0
    assert conflict("ORG") == pytest.approx(conflict("PERSON") * P.class_weight["org"])
    assert P.class_weight["org"] < P.class_weight["who"]


def test_dates_a_text_only_mentions_do_not_weigh_against_its_story():
    """Background dates ("the last flood, in June 2019") say nothing about which event a report
    is about: a report mentioning one scores exactly as the same report without it."""
    eng = StoryEngine()
    _, ups = run([flood("f1", dates=["2031-02-28"]), flood("f2", 1, dates=["2031-02-27"])], eng)
    story = eng.index.sigs[ups[0].story_id]

    def score(dates):
        q, e = _flood_again("f3", 2)
        sig = article_signature(e.model_copy(update={"dates": dates}), q)
        return eng.scorer.score(sig, story)

    assert score(["2019-06"]) == score([]) > 0


def test_pruned_best_equals_scoring_every_candidate_in_full():
    """``best`` skips the costly best-member term for stories that cannot win: it must pick
    exactly what scoring every candidate in full picks."""
    rng = random.Random(7)
    eng = StoryEngine()
    makers = [flood, quake]
    for i in range(40):
        q, e = makers[rng.randrange(2)](f"a{i}", hours=i)
        keep = [x for x in e.entities if rng.random() < 0.7] or e.entities[:1]
        terms = {t: c for t, c in e.terms.items() if rng.random() < 0.8} or dict(e.terms)
        e = e.model_copy(update={"entities": keep, "terms": terms})
        sig = article_signature(e, q)
        eng.index.observe(sig)
        full = []
        for sid in eng.index.candidates(sig):
            s = eng.scorer.score(sig, eng.index.sigs[sid])
            if sid in eng.index.members:
                s += P.w_member * (eng.scorer.member_sim(sig, eng.index.members[sid]) - P.member_base)
            full.append((-s, sid))
        got_sid, got_s = eng.scorer.best(sig)
        views: dict = {}                                   # a view cache changes nothing
        assert eng.scorer.best(sig, views=views) == eng.scorer.best(sig, views=views) == (got_sid, got_s)
        if full:
            want_s, want_sid = -min(full)[0], min(full)[1]
            assert (got_sid, round(got_s, 9)) == (want_sid, round(want_s, 9))
        eng.index.observe(sig, -1)
        eng.process(q, e, T0)
