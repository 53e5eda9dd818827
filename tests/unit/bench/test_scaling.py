"""The scaling projection (bench/scaling.py) from invented CPU figures."""
from __future__ import annotations

from bench.report import aggregator_targets
from bench.scaling import markdown, scaling


def _res():
    return {"baseline": {"cpu_s_per_article": 0.1},
            "pipeline": {"annotators_1": {"cpu_s_per_article": {
                "annotator": 0.1, "quotes": 0.01, "entities": 0.01, "aggregator": 0.02, "broker": 0.005,
                "bench": 0.5}}},
            "aggregator": {"points": [{"open_stories": 1_000, "cpu_ms_mean": 10.0, "kb_per_open_story": 50.0},
                                      {"open_stories": 10_000, "cpu_ms_mean": 20.0, "kb_per_open_story": 55.0}],
                           "cpu_ms_at_10k": 20.0, "cpu_100k_vs_10k": None, "max_wall_p99_ms": 30.0}}


def test_stages_against_nlp_leave_out_the_bench_itself():
    sc = scaling(_res())
    assert "bench" not in sc["stage_cpu_s_per_article"]
    assert sc["pipeline_cpu_s_per_article"] == 0.145
    assert sc["pipeline_ratio_to_nlp"] == 1.45
    assert sc["stage_ratio_to_nlp"]["aggregator"] == 0.2


def test_k_annotators_are_capped_by_the_aggregator():
    sc = scaling(_res())
    caps = sc["aggregator_caps_articles_per_s"]
    assert caps == {"aggregator_in_pipeline": 50.0, "aggregator_10000_open": 50.0}
    rows = {r["annotator_cores"]: r for r in sc["projection"]}
    assert rows[1]["annotators_articles_per_s"] == 10.0 and rows[1]["capped_by_aggregator_10000_open"] == 10.0
    assert rows[8]["annotators_articles_per_s"] == 80.0 and rows[8]["capped_by_aggregator_10000_open"] == 50.0
    assert rows[8]["other_stage_cores_needed"] == 2.0       # 80/s x 0.025 s
    assert sc["annotator_cores_to_saturate"]["aggregator_in_pipeline"] == 5.0
    assert "capped by aggregator 10000 open (50.0/s)" in markdown(sc)


def test_issue_targets_are_judged_and_missing_sizes_are_not_met():
    res = _res()
    res["scaling"] = scaling(res)
    t = aggregator_targets(res)
    assert t["aggregator_cpu_ms_at_10k_open"]["met"] is False          # 20 ms > 2
    assert t["aggregator_cpu_100k_vs_10k"] == {"value": None, "target": "<= 1.5", "met": False}
    assert t["aggregator_memory_per_story_largest_vs_smallest"]["value"] == 1.1
    assert t["pipeline_cpu_vs_nlp"]["met"] is False
