"""Data-driven floors on ECB+ dev and more (cross-validated by topic) and the seed alias
groups, plus scorer unit checks.

Floors sit at least 0.02 below the topic-CV figure of ``storystream eval entities DATA
--folds 5`` (docs/quality-entities.md); a missing data file fails the tests.
"""
import pytest

from services.entities.extract import extract_entities
from services.evaluation.entities import (
    DEFAULT_ECB_PATH, DEFAULT_SEED_DIR, DEFAULT_SEED_GOLD, alias_accuracy, bcubed, format_table,
)
from services.evaluation.entities_cv import score_entities_cv
from services.evaluation.entity_gold import gold_core, is_named

from .conftest import parsed_eval

ECB_MORE = DEFAULT_ECB_PATH.with_name("ecbplus_more.jsonl")


@pytest.fixture(scope="module")
def data(pytestconfig):
    out = {}
    for name, path in (("dev", DEFAULT_ECB_PATH), ("more", ECB_MORE)):
        records, docs = parsed_eval(pytestconfig, path)
        out[name] = (records, [extract_entities(body, title) for title, body in docs])
    out["both"] = tuple(out["dev"][i] + out["more"][i] for i in (0, 1))
    return out


@pytest.fixture(scope="module")
def cv(data):
    return {name: score_entities_cv(records, preds, 5) for name, (records, preds) in data.items()}


@pytest.fixture(scope="module")
def ecb_result(cv):
    return cv["dev"]


# (data, score) -> floor: >= 0.02 below the topic-CV F1 (measured in the comment)
CV_FLOORS = {
    ("dev", "bcubed_story"): 0.90,      # CV 0.921
    ("dev", "bcubed_chained"): 0.82,    # CV 0.857
    ("dev", "bcubed_cross"): 0.88,      # CV 0.904
    ("more", "bcubed_story"): 0.75,     # CV 0.773 (0.782 before the marked untagged names: docs/quality-entities.md)
    ("more", "bcubed_chained"): 0.76,   # CV 0.804
    ("both", "bcubed_story"): 0.83,     # CV 0.856 (0.863 before, as more)
    ("both", "bcubed_chained"): 0.80,   # CV 0.837
}


@pytest.mark.parametrize("name,key", sorted(CV_FLOORS))
def test_cross_validated_bcubed_floors(cv, name, key):
    assert cv[name]["cv"][key]["f1"] >= CV_FLOORS[name, key]


def test_story_merge_adds_recall(cv):
    for res in cv.values():
        assert res["cv"]["bcubed_story"]["recall"] >= res["cv"]["bcubed_cross"]["recall"]


def test_bcubed_within_article(ecb_result):
    # CV 0.977 (per-article scores: CV = all data)
    assert ecb_result["cv"]["bcubed_within"]["f1"] >= 0.955


def test_canonicalisation_beats_raw_surfaces(ecb_result):
    assert ecb_result["cv"]["bcubed_cross"]["f1"] >= ecb_result["cv"]["bcubed_surface"]["f1"] + 0.05


def test_mention_scores(cv):
    mentions = cv["both"]["cv"]["mentions"]   # dev + more: R 0.887, F1 0.845
    assert mentions["ALL"]["recall"] >= 0.86
    assert mentions["ALL"]["f1"] >= 0.82
    assert mentions["PERSON"]["f1"] >= 0.91
    assert mentions["LOC"]["f1"] >= 0.85
    assert cv["both"]["cv"]["type_accuracy"] >= 0.80    # 0.826 (0.844 before the untagged names, typed ORG)


def test_format_table(ecb_result):
    table = format_table(ecb_result)
    assert "B-cubed" in table and "PERSON" in table and "story state" in table and "chained" in table


def test_seed_alias_groups():
    assert DEFAULT_SEED_GOLD.exists() and DEFAULT_SEED_DIR.exists(), "seed gold / seeds missing"
    result = alias_accuracy(DEFAULT_SEED_DIR, DEFAULT_SEED_GOLD)
    # achieved 12/14: "DPRK" and "Joe Biden" need world knowledge (never spelled out in the seeds)
    assert result["accuracy"] >= 0.8
    assert result["consistency"] >= 0.85


# ----------------------------------------------------------------- scorer rules
def test_bcubed_toy():
    perfect = bcubed([("a", 1), ("a", 1), ("b", 2)])
    assert perfect["f1"] == pytest.approx(1.0)
    merged = bcubed([("a", 1), ("b", 1)])
    assert merged["recall"] == pytest.approx(1.0) and merged["precision"] == pytest.approx(0.5)


def test_named_and_core_rules():
    body = "Officials said a bank in Dunmore was robbed near the Orland Treatment Center in Dunmore, Veldoria."
    bank = {"text": "a bank in Dunmore", "start": body.index("a bank"), "end": body.index("a bank") + 17}
    start = body.index("the Orland")
    center = {"text": "the Orland Treatment Center in Dunmore, Veldoria", "start": start,
              "end": start + len("the Orland Treatment Center in Dunmore, Veldoria")}
    assert not is_named(body, bank)
    assert is_named(body, center)
    s, e = gold_core(body, center)
    assert body[s:e] == "Orland Treatment Center"
