"""The aggregator's own bench (bench/aggregator.py) works, and its synthetic news overlaps the way
news does (figures are not asserted: speed is reported by the bench, never tested)."""
from __future__ import annotations

from collections import Counter

from bench import aggregator as agb
from bench.newsgen import NewsGen, Zipf, word
from bench.report import REQUIRED_KEYS
from services.aggregator.engine import StoryEngine
from services.aggregator.entities import entity_key


def test_pool_words_are_distinct():
    words = [word(i, 3) for i in range(5000)]
    assert len(set(words)) == len(words)


def test_zipf_draws_are_heavy_tailed():
    import random
    z, rng = Zipf(1000, 1.0), random.Random(1)
    counts = Counter(z(rng) for _ in range(20_000))
    assert counts[0] > 10 * counts.get(99, 0) > 0      # the head is far more frequent than rank 100
    assert len(counts) > 500                           # and the tail is long


def test_stories_share_names_and_words_without_being_alike():
    gen = NewsGen()
    ents, terms, cores = Counter(), Counter(), set()
    for i in range(300):
        core, arts = gen.story_articles(i)
        cores.add((tuple(core.people), core.place, tuple(core.topic)))
        _, e = arts[0]
        ents.update({entity_key(m.name) for m in e.entities})
        terms.update(e.terms)
    assert len(cores) == 300                                   # every story its own core
    assert ents.most_common(1)[0][1] >= 30                     # a name shared by a tenth of the stories
    assert terms.most_common(1)[0][1] >= 150                   # a word in half of them
    assert sum(1 for c in ents.values() if c == 1) > len(ents) / 2   # most names are rare


def test_build_restores_consistent_open_stories():
    gen, engine = NewsGen(), StoryEngine()
    articles = agb.build(engine, gen, 60)
    assert len(engine.stories) == 60
    assert articles == len(engine.articles) == sum(len(gen.story_articles(i)[1]) for i in range(60))
    assert engine.index.consistency_errors() == []
    assert set(engine.index.sigs) == set(engine.stories)


def test_the_direct_build_is_what_restore_builds_from_the_records():
    gen, engine = NewsGen(), StoryEngine()
    agb.build(engine, gen, 50)
    again = StoryEngine()
    repaired = again.restore(*agb.tables(engine))          # heads, article records with their order
    assert repaired == []                                   # the records agree with each other
    a, b = engine.index, again.index
    assert (a.n_docs, a.df_ents, a.df_terms, a.df_title, a.df_etok) == (b.n_docs, b.df_ents, b.df_terms,
                                                                       b.df_title, b.df_etok)
    assert a.postings.as_sets() == b.postings.as_sets() and a.posted == b.posted and a.members == b.members
    assert {k: v.to_json() for k, v in a.sigs.items()} == {k: v.to_json() for k, v in b.sigs.items()}
    assert engine.store.seen == again.store.seen and engine.watermark == again.watermark


def test_a_follow_up_joins_its_story():
    gen, engine = NewsGen(), StoryEngine()
    agb.build(engine, gen, 80)
    joined = 0
    for k in range(40):
        (q, e), home = agb.arrival(gen, 80, k)
        upd = engine.process(q, e, agb.T_END)
        joined += home is not None and upd.story_id == home
    assert joined >= 10          # the synthetic follow-ups are recognisably their story's


def test_measure_one_reports_every_figure():
    res = agb.measure_one(40, 10)
    for key in REQUIRED_KEYS["aggregator_point"]:
        if key != "cpu_ratio_to_smallest":
            assert key in res, key
    assert res["open_stories"] == 40 and res["arrivals"] == 10
    assert res["kb_per_open_story"] >= 0 and res["postings_read_mean"] > 0   # (RSS: this process is warm)


def test_summary_and_markdown():
    pts = [dict(p, cpu_ratio_to_smallest=1.0, kb_per_story_ratio_to_smallest=1.0)
           for p in (agb.measure_one(30, 5), )]
    res = agb.summary(pts)
    for key in REQUIRED_KEYS["aggregator"]:
        assert key in res, key
    assert res["cpu_ms_at_10k"] is None
    assert "| 30 |" in agb.markdown(res)
