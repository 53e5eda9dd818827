"""Data-driven thresholds on ECB+ dev and the seed alias groups, plus scorer unit checks."""
import pytest

from services.evaluation.entities import (
    DEFAULT_ECB_PATH, DEFAULT_SEED_DIR, DEFAULT_SEED_GOLD, alias_accuracy, bcubed, format_table, run_entities_eval,
)
from services.evaluation.entity_gold import gold_core, is_named

pytestmark = pytest.mark.skipif(not DEFAULT_ECB_PATH.exists(), reason="shared eval data not present")


@pytest.fixture(scope="module")
def ecb_result():
    return run_entities_eval(DEFAULT_ECB_PATH)


def test_bcubed_cross_article_canonical_key(ecb_result):
    # achieved 0.9005 on ecbplus_dev (P 0.956, R 0.851)
    assert ecb_result["bcubed_cross"]["f1"] >= 0.898
    assert ecb_result["bcubed_cross"]["precision"] >= 0.945


def test_bcubed_story_state(ecb_result):
    # after the aggregator's short-name merge within each gold story: achieved 0.914 (P 0.956, R 0.876)
    story = ecb_result["bcubed_story"]
    assert story is not None
    assert story["f1"] >= 0.905
    assert story["recall"] >= ecb_result["bcubed_cross"]["recall"]


def test_bcubed_within_article(ecb_result):
    # achieved 0.977
    assert ecb_result["bcubed_within"]["f1"] >= 0.975


def test_canonicalisation_beats_raw_surfaces(ecb_result):
    assert ecb_result["bcubed_cross"]["f1"] >= ecb_result["bcubed_surface"]["f1"] + 0.05


def test_mention_scores(ecb_result):
    mentions = ecb_result["mentions"]
    assert mentions["ALL"]["recall"] >= 0.86      # achieved 0.868
    assert mentions["ALL"]["f1"] >= 0.83          # achieved 0.836
    assert mentions["PERSON"]["f1"] >= 0.94       # achieved 0.944
    assert mentions["LOC"]["f1"] >= 0.88          # achieved 0.886
    assert ecb_result["type_accuracy"] >= 0.84    # achieved 0.845


def test_format_table(ecb_result):
    table = format_table(ecb_result)
    assert "B-cubed" in table and "PERSON" in table and "story state" in table


@pytest.mark.skipif(not DEFAULT_SEED_GOLD.exists() or not DEFAULT_SEED_DIR.exists(), reason="no seeds")
def test_seed_alias_groups():
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
