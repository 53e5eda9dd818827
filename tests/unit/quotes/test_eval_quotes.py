"""Scorer unit tests plus data-driven quality floors on the seed gold and ECB+ dev."""
from __future__ import annotations

import json
from pathlib import Path

from services.evaluation.common import match_one_to_one, token_overlap
from services.evaluation.quotes import format_table, gold_category, load_gold, score_quotes, speaker_matches
from services.evaluation.quotes_cv import format_cv_table

ROOT = Path(__file__).resolve().parents[3]
SEED_GOLD = ROOT.parent / "shared" / "gold" / "seed_quotes.json"


# ---------------------------------------------------------------- scorer units
def test_token_overlap_ignores_case_and_punctuation():
    assert token_overlap("It is over,", "it is over.") == 1.0
    assert token_overlap("a b c d", "a b") == 0.5
    assert token_overlap("x", "y") == 0.0


def test_one_to_one_matching_prefers_best_pairs():
    gold, pred = ["a b c", "a b"], ["a b", "a b c"]
    pairs = match_one_to_one(gold, pred, token_overlap, 0.5)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1), (1, 0)]


def test_speaker_matches_is_lenient_on_form():
    assert speaker_matches("Jane Smith", "jane smith")
    assert speaker_matches("Smith", "Jane Smith", ["Jane Smith"])
    assert not speaker_matches("Smith", "Jane Smith", ["Jane Smith", "Ben Smith"])
    assert speaker_matches("An official at the unification ministry", "unification ministry official")
    assert speaker_matches("the White House", "White House")
    assert not speaker_matches("John Smith", "Jane Doe")
    assert not speaker_matches(None, "Jane Doe")


def test_score_quotes_counts_and_categories():
    rec = {"id": "a", "title": "t", "body": "“We won,” she said. “Yes,” Ann Lee said.",
           "quotes": [{"text": "We won,", "speaker": "Ann Lee", "start": 1, "end": 8},
                      {"text": "Yes,", "speaker": "Ann Lee", "start": 21, "end": 25}],
           "not_quotes": ["Scrubs"]}
    assert gold_category(rec, rec["quotes"][0]) == "pronoun"
    assert gold_category(rec, rec["quotes"][1]) == "named"
    preds = {"a": [{"text": "We won,", "speaker": "Ann Lee"}, {"text": "Scrubs", "speaker": None}]}
    res = score_quotes([rec], preds)
    assert res["strict"]["recall"] == 0.5 and res["strict"]["precision"] == 0.5
    assert res["false_not_quotes"] == 1
    assert res["speaker_by_category"]["pronoun"]["accuracy"] == 1.0
    assert "strict" in format_table(res)


def test_load_gold_reads_both_formats(tmp_path):
    seed = load_gold(SEED_GOLD)
    assert len(seed) == 5 and all(r["title"] and r["body"] for r in seed)
    assert any(r["not_quotes"] for r in seed)
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"id": "1", "title": "T", "body": "B", "quotes": []}) + "\n")
    assert load_gold(p)[0]["id"] == "1"


# ---------------------------------------------------------------- data-driven floors
# ``seed_result`` and ``ecb_result`` come from conftest.py (parsed once per session).


def test_seed_gold(seed_result):
    assert seed_result["strict"]["f1"] >= 0.99
    assert seed_result["speaker_accuracy"] >= 0.99
    assert seed_result["found_with_right_speaker"] >= 0.99
    assert seed_result["false_not_quotes"] == 0


def test_seed_face_the_nation_is_not_a_quote(seed_result):
    assert not [e for e in seed_result["errors"] if e["error"] in ("spurious", "not_quote")]


def test_ecbplus_dev(ecb_result):
    # floors >= 0.02 below the topic-CV figures of `storystream eval quotes ecbplus_dev.jsonl --folds 5`
    # (nothing fitted, scored per article: CV = all data; docs/quality-quotes.md): strict F1 0.961,
    # lenient 0.970, speakers 0.946 (named 0.946, described 0.923, pronoun 0.974), found with right
    # speaker 0.901; 6 known non-quotes extracted
    assert ecb_result["strict"]["f1"] >= 0.94
    assert ecb_result["lenient"]["f1"] >= 0.95
    assert ecb_result["speaker_accuracy"] >= 0.92
    by = ecb_result["speaker_by_category"]
    assert by["named"]["accuracy"] >= 0.92
    assert by["described"]["accuracy"] >= 0.90
    assert by["pronoun"]["accuracy"] >= 0.95
    assert ecb_result["found_with_right_speaker"] >= 0.88
    assert ecb_result["false_not_quotes"] <= 8  # not_quotes ceiling


def test_ecbplus_dev_topic_folds(ecb_result):
    folds = ecb_result["per_fold"]
    assert len(folds) == 5 and sum(f["articles"] for f in folds) == ecb_result["articles"]
    assert sum(f["gold_quotes"] for f in folds) == ecb_result["gold_quotes"]
    assert "topic CV" in format_cv_table(ecb_result)


def test_seed_gold_has_no_topics_to_fold(seed_result):
    assert "per_fold" not in seed_result
    assert "no topic CV" in format_cv_table(seed_result)
