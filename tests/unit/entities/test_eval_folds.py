"""Topic folds, the chained B-cubed and the pooled cross-validation of ``eval entities``
(invented records; the data-driven floors are in test_eval_entities.py)."""
import pytest

from schemas.models import EntityMention, Span
from services.evaluation.entities import cross_document_chains, score_entities
from services.evaluation.entities_cv import format_cv_table, score_entities_cv
from services.evaluation.topic_folds import assign_folds, fold_indices, topic_of


def _rec(rid, story, body, golds):
    ents = []
    for text, chain in golds:
        start = body.index(text)
        ents.append({"text": text, "start": start, "end": start + len(text), "type": "HUMAN_PART_PER",
                     "chain": chain})
    return {"id": rid, "story": story, "title": "", "body": body, "entities": ents}


def _pred(body, *names):
    out = []
    for surface, name in names:
        start = body.index(surface)
        out.append(EntityMention(name=name, type="PERSON",
                                 mentions=[Span(text=surface, start=start, end=start + len(surface))]))
    return out


def test_topic_is_story_without_plus():
    assert topic_of("7plus") == "7" and topic_of("7") == "7" and topic_of("") == ""


def test_folds_keep_topics_whole_and_balance_sizes():
    recs = [{"story": s} for s in ["1", "1plus", "1", "2", "2plus", "3", "4", "4plus", "5", "6"]]
    folds = assign_folds(recs, 3)
    assert set(folds) == {"1", "2", "3", "4", "5", "6"}
    idx = fold_indices(recs, 3)
    assert sorted(i for f in idx for i in f) == list(range(len(recs)))
    for f in idx:  # a topic never spans two folds
        topics = {topic_of(recs[i]["story"]) for i in f}
        assert all(folds[t] == idx.index(f) for t in topics)
    assert max(map(len, idx)) - min(map(len, idx)) <= 1
    assert assign_folds(recs, 3) == folds  # deterministic


def test_too_few_topics_is_an_error():
    with pytest.raises(ValueError):
        assign_folds([{"story": "1"}, {"story": "1plus"}], 2)


BODY_A = "Talks began. Mira Olsen met Ivo Brand in Dorsk."
BODY_B = "At noon Olsen spoke first, and Brand left early."


def _two_articles():
    recs = [_rec("a", "1", BODY_A, [("Mira Olsen", "C1"), ("Ivo Brand", "C2")]),
            _rec("b", "1plus", BODY_B, [("Olsen", "C1"), ("Brand", None)])]
    return recs


def test_chained_bcubed_counts_a_missed_mention_as_its_own_entity():
    recs = _two_articles()
    assert cross_document_chains(recs) == {"C1"}
    preds = [_pred(BODY_A, ("Mira Olsen", "Mira Olsen"), ("Ivo Brand", "Ivo Brand")), []]
    res = score_entities(recs, preds)
    assert res["bcubed_chained"]["n"] == 2
    assert res["bcubed_chained"]["recall"] == pytest.approx(0.5)
    assert res["bcubed_chained"]["precision"] == pytest.approx(1.0)


def test_chained_bcubed_rewards_the_cross_article_link():
    recs = _two_articles()
    split = [_pred(BODY_A, ("Mira Olsen", "Mira Olsen")), _pred(BODY_B, ("Olsen", "Kari Olsen"))]
    linked = [_pred(BODY_A, ("Mira Olsen", "Mira Olsen")), _pred(BODY_B, ("Olsen", "Mira Olsen"))]
    assert score_entities(recs, linked)["bcubed_chained"]["f1"] == pytest.approx(1.0)
    assert score_entities(recs, split)["bcubed_chained"]["f1"] < 0.7


def test_cv_scores_each_fold_alone_and_pools_them():
    # the same name in two topics: one entity on all data, two (one per fold) under CV
    recs = [_rec("a", "1", BODY_A, [("Mira Olsen", "C1")]), _rec("b", "2", BODY_A, [("Mira Olsen", "C9")])]
    preds = [_pred(BODY_A, ("Mira Olsen", "Mira Olsen"))] * 2
    res = score_entities_cv(recs, preds, k=2)
    assert res["bcubed_cross"]["precision"] == pytest.approx(0.5)
    assert res["cv"]["bcubed_cross"]["precision"] == pytest.approx(1.0)
    assert len(res["per_fold"]) == 2
    assert "topic CV" in format_cv_table(res)
