"""The markdown tables of docs/experiments/embeddings.md from the experiment's JSON outputs
(bench/embeddings_embed.py ``time``, bench/embeddings_probe.py, bench/embeddings_auc.py):

    python3 bench/embeddings_tables.py [DIR]       # DIR: the outputs (default /work/wt2/embdata/emb)
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

DIR = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/wt2/embdata/emb")
FIGS = (("fit", "fit on everything"), ("cv", "CV, folds alone"), ("cv_context", "CV in context (fold-alone choice)"),
        ("cv_context_chosen", "CV in context (choice in context)"))
NAMES = {"baseline": "TF-IDF baseline as is (0.3)", "tfidf": "TF-IDF, threshold fitted", "emb:st_doc": "embedding, doc",
         "emb:st_sent": "embedding, sentences", "emb:ort-int8_doc": "embedding int8, doc",
         "emb:ort-int8_sent": "embedding int8, sentences", "combo:st_doc": "TF-IDF + embedding (doc)",
         "combo:st_sent": "TF-IDF + embedding (sentences)", "emb:st-128_doc": "embedding, doc, 128 pieces",
         "emb:ort-int8-128_doc": "embedding int8, doc, 128 pieces", "combo:st-128_doc": "TF-IDF + embedding (doc, 128 pieces)"}


def means(r: dict) -> dict:
    """A figure as stored: already the mean over orders, or per order (one early output)."""
    if "pairwise_f1" in r:
        return r
    return {k: statistics.fmean(v[k] for v in r.values()) for k in ("pairwise_f1", "bcubed_f1")}


def f2(r: dict) -> str:
    r = means(r)
    return f"{r['pairwise_f1']:.3f} / {r['bcubed_f1']:.3f}"


def timing() -> None:
    print("| backend | word pieces | doc: mean / p50 / p95 ms | sentences: mean / p50 / p95 ms | import + load s |")
    print("|---|---|---|---|---|")
    seen = {}
    for line in (DIR / "timing.jsonl").read_text().splitlines():
        r = json.loads(line)
        seen[(r["backend"], r.get("max_tokens", 256))] = r      # the last run of each
    for (b, n), r in seen.items():
        sent = f"{r['sent_ms_mean']} / {r['sent_ms_p50']} / {r['sent_ms_p95']}" if "sent_ms_mean" in r else ""
        print(f"| {b} | {n} | {r['doc_ms_mean']} / {r['doc_ms_p50']} / {r['doc_ms_p95']} | {sent} | {r['load_cpu_s']} |")


def clustering(path: Path) -> None:
    d = json.loads(path.read_text())
    for ds, rows in d.items():
        print(f"\n**{ds}** (pairwise / B-cubed F1" + (", mean over orders 0-2)" if ds != "news_cluster" else ", date order)"))
        print("\n| clusterer | point (w, t) on everything | " + " | ".join(h for _, h in FIGS) + " |")
        print("|---|---|" + "---|" * len(FIGS))
        for m, r in rows.items():
            cells = [f2(r[k]) if k in r else "" for k, _ in FIGS]
            pt = "(1.0, 0.3)" if m == "baseline" else str(tuple(r["fit_point"]))
            print(f"| {NAMES.get(m, m)} | {pt} | " + " | ".join(cells) + " |")


def fold_spread(paths: list[Path]) -> None:
    """Per fold dealing: the CV figures' difference to fitted TF-IDF, then mean and range."""
    runs = [json.loads(p.read_text()) for p in paths]
    for ds in runs[0]:
        print(f"\n**{ds}**: difference to TF-IDF (threshold fitted), pairwise / B-cubed F1, over {len(runs)} fold dealings")
        print("\n| clusterer | figure | mean | min | max |")
        print("|---|---|---|---|---|")
        for m in ("emb:st_doc", "combo:st_doc"):
            for k, h in FIGS[1:]:
                dp = [means(r[ds][m][k])["pairwise_f1"] - means(r[ds]["tfidf"][k])["pairwise_f1"] for r in runs]
                db = [means(r[ds][m][k])["bcubed_f1"] - means(r[ds]["tfidf"][k])["bcubed_f1"] for r in runs]
                print(f"| {NAMES[m]} | {h} | {statistics.fmean(dp):+.3f} / {statistics.fmean(db):+.3f} | "
                      f"{min(dp):+.3f} / {min(db):+.3f} | {max(dp):+.3f} / {max(db):+.3f} |")


def auc(name: str = "auc.json") -> None:
    a = json.loads((DIR / name).read_text())
    sims = [k for k, v in a["story_vs_sister_pairs"].items() if isinstance(v, dict)]
    print("| similarity | story vs sister, pairs (topic mean) | story vs sister, centroids (own beats sister) |"
          f" same, hard reports only (n={a['story_vs_sister_centroids']['hard_articles']}) |"
          " topic vs other topic, pairs | news_cluster story vs window, pairs |")
    print("|---|---|---|---|---|---|")
    for s in sims:
        p, c = a["story_vs_sister_pairs"][s], a["story_vs_sister_centroids"][s]
        print(f"| {s} | {p['auc']:.3f} ({p['topic_mean_auc']:.3f}) | {c['auc']:.3f} ({c['own_beats_sister']:.3f}) | "
              f"{c['hard_auc']:.3f} ({c['hard_own_beats_sister']:.3f}) | {a['topic_vs_topic_pairs'][s]['auc']:.3f} | "
              f"{a['news_cluster_story_vs_window'][s]['auc']:.3f} |")


if __name__ == "__main__":
    timing()
    clustering(DIR / "clustering.json")
    extra = sorted(DIR.glob("clustering_foldseed*.json"))
    if (DIR / "clustering_topic_folds.json").exists():
        print("\nWith services/evaluation/topic_folds.py's folds:")
        clustering(DIR / "clustering_topic_folds.json")
        extra.append(DIR / "clustering_topic_folds.json")
    fold_spread([DIR / "clustering.json", *extra])
    print()
    auc()
    if (DIR / "clustering_128.json").exists():
        print("\nHeadline + body truncated to 128 word pieces:")
        clustering(DIR / "clustering_128.json")
    if (DIR / "auc_128.json").exists():
        print()
        auc("auc_128.json")
