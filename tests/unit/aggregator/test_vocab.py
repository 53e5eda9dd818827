"""Feature ids (services/aggregator/vocab.py): the document-frequency arrays the score bounds read
stay equal to the index's counters through articles taken out again, and renumbering the ids
changes no bound."""
from __future__ import annotations

import random

from services.aggregator import vocab
from services.aggregator.index import StoryIndex
from services.aggregator.params import DEFAULT_PARAMS as P
from services.aggregator.scoring import Scorer
from services.aggregator.signature import story_of
from tests.unit.aggregator.test_bounds import NAMES, WORDS, _article, _zipf


def _agrees(v: vocab.Vocab, df) -> bool:
    counted = all(v.df[v.ids[k]] == c for k, c in df.items())
    rest = all(v.df[i] == 0 for k, i in v.ids.items() if k not in df)
    return counted and rest


def _churn(monkeypatch, slack: int):
    """An index through which 60 random articles pass, each as a story of its own (dropped and
    taken out again after 8 more), and after each article the bounds of every story held for it."""
    monkeypatch.setattr(vocab, "RENUMBER_SLACK", slack)
    rng = random.Random(7)
    idx = StoryIndex(P)
    live, renumbered, bounds = [], 0, []
    scorer = Scorer(idx, P)
    for k in range(60):
        core = [f"new{k} name", *_zipf(rng, NAMES, 2)]          # fresh names: the vocabulary grows
        sig = _article(rng, core, [f"fresh{k}x{j}" for j in range(20)] + _zipf(rng, WORDS, 10), 3)
        idx.observe(sig)
        idx.put(f"st-{k:03d}", story_of([sig]))
        live.append((k, sig))
        if len(live) > 8:
            before = idx.vocab_terms
            old, old_sig = live.pop(0)
            idx.drop(f"st-{old:03d}")
            idx.observe(old_sig, -1)
            renumbered += idx.vocab_terms is not before
        for v, df in ((idx.vocab_terms, idx.df_terms), (idx.vocab_etok, idx.df_etok), (idx.vocab_title, idx.df_title)):
            assert _agrees(v, df)
        bounds.append(scorer.bounds.upper(sig, scorer.article_view(sig), sorted(idx.sigs)))
    return bounds, renumbered


def test_document_frequency_arrays_equal_the_counters_and_renumbering_changes_no_bound(monkeypatch):
    kept, none = _churn(monkeypatch, 10 ** 9)
    renumbered_bounds, many = _churn(monkeypatch, 0)
    assert none == 0 and many >= 3
    assert renumbered_bounds == kept


def test_a_vocabulary_built_from_more_features_than_its_first_array_keeps_every_frequency():
    """Renumbering builds a new vocabulary from the index's counters: past the array's first
    size it grows while it is filled (a 50,000-article stream crashed there: IndexError)."""
    from collections import Counter
    df = Counter({f"w{i}": i % 7 + 1 for i in range(5000)})
    v = vocab.Vocab(df)
    assert len(v.ids) == 5000 and len(v.df) >= 5000
    assert all(v.df[v.ids[k]] == n for k, n in df.items())
    assert v.df[5000:].sum() == 0
