"""Would sentence embeddings improve story clustering?  An EXPERIMENT (docs/experiments/embeddings.md).

Single-pass clusterers in the TF-IDF baseline's online setting (services/evaluation/tfidf_baseline.py:
join the most similar story centroid when the similarity reaches a threshold, else start a
story; on a dated stream only stories whose newest article is at most 3 days older are
candidates), over three similarities:

* ``tfidf``: the baseline's cosine (TF-IDF fitted on the articles streamed);
* ``emb``: the cosine of all-MiniLM-L6-v2 embeddings (made by bench/embeddings_embed.py);
* ``combo``: ``w * tfidf + (1 - w) * emb`` (each the cosine with its own centroid).

The threshold (and ``w``) is chosen by topic cross-validation as the product's story CV does
(services/evaluation/story_cv.py): 5 folds of whole topics (story_inputs.folds), each fold streamed
alone; for each held-out fold and order the point with the best mean of pairwise and B-cubed F1
over the other folds' pooled partitions; the held-out partitions pooled.  Also the fit on
everything (one point for the whole stream, best mean over the orders) and the CV in context
(the whole stream at each fold's point, the held-out articles scored against whole stories:
stories.held_out_counts, "all pairs"); and, as the fold-alone choice is made among fewer
stories than the whole stream holds, the CV in context with the point chosen in context too
(the training folds' articles scored the same way in the same whole-stream runs).  Undated ECB+ is streamed in shuffles 0-2, news_cluster in
date order.  Run with the product's venv from the worktree root:

    PYTHONPATH=. /work/main/.venv/bin/python bench/embeddings_probe.py [--emb-dir DIR] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from services.evaluation.stories import held_out_counts, score_clusters, score_counts
from services.evaluation.story_inputs import folds, shuffled, topic_of

EVAL = Path(os.environ.get("EVAL_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "eval"))
EMB_DIR = Path(os.environ.get("EMB_OUT", "/work/wt2/embdata/emb"))
WINDOW = timedelta(days=3.0)
K = 5


@dataclass(frozen=True)
class Doc:
    article_id: str
    story: str
    published: Optional[datetime]
    text: str
    row: int                      # row of the embedding matrices

    @property
    def topic(self) -> str:
        return topic_of(self.story)


def load(files: Sequence[str], ids: list[str]) -> list[Doc]:
    row = {a: i for i, a in enumerate(ids)}
    out = []
    for f in files:
        with open(EVAL / f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    pub = datetime.fromisoformat(r["published"].replace("Z", "+00:00")) if r.get("published") else None
                    out.append(Doc(r["id"], r["story"], pub, r["title"] + "\n" + r["body"], row[r["id"]]))
    return out


def stream(docs: Sequence[Doc], seed: int) -> list[Doc]:
    """story_inputs.ordered: date order when dated, else shuffle ``seed`` of the sorted ids."""
    if all(d.published is not None for d in docs):
        return sorted(docs, key=lambda d: (d.published, d.article_id))
    by_id = {d.article_id: d for d in docs}
    return [by_id[a] for a in shuffled(by_id, seed)]


def tfidf_gram(docs: Sequence[Doc]) -> np.ndarray:
    x = TfidfVectorizer(stop_words="english").fit_transform([d.text for d in docs])
    return (x @ x.T).toarray()


class Grams:
    """The similarity matrices of one set of articles (a fold, or the whole data set), in the
    set's own order; TF-IDF fitted on that set, as the baseline fits it on what it streams."""

    def __init__(self, docs: Sequence[Doc], emb: dict[str, np.ndarray]):
        self.pos = {d.article_id: i for i, d in enumerate(docs)}
        self.g = {"tfidf": tfidf_gram(docs)}
        rows = [d.row for d in docs]
        for name, e in emb.items():
            v = e[rows]
            self.g[name] = v @ v.T

    def ordered(self, name: str, order: Sequence[Doc]) -> np.ndarray:
        ix = np.array([self.pos[d.article_id] for d in order])
        return self.g[name][np.ix_(ix, ix)]


def single_pass(order: Sequence[Doc], mats: Sequence[tuple[np.ndarray, float]], threshold: float) -> dict[str, str]:
    """The baseline's pass over a weighted sum of centroid cosines (each matrix: the article
    Gram matrix in stream order, its weight).  Same ties as the baseline (the later story)."""
    n = len(order)
    dots = [np.zeros((n, n)) for _ in mats]        # dots[g][j, c]: sum of G[j, members of c]
    norm2 = [np.zeros(n) for _ in mats]
    newest: list = []
    pred, c_n = {}, 0
    pubs = [d.published for d in order]
    for i, d in enumerate(order):
        best = -1
        if c_n:
            score = np.zeros(c_n)
            for (g, w), dt, nn in zip(mats, dots, norm2):
                score += w * dt[i, :c_n] / np.sqrt(np.maximum(nn[:c_n], 1e-300))
            if pubs[i] is not None:
                score[[pubs[i] - newest[c] > WINDOW for c in range(c_n)]] = -np.inf
            top = score.max()
            if top >= threshold:
                best = c_n - 1 - int(np.argmax(score[::-1] == top))
        if best < 0:
            best, c_n = c_n, c_n + 1
            newest.append(pubs[i])
        elif pubs[i] is not None and pubs[i] > newest[best]:
            newest[best] = pubs[i]
        for (g, w), dt, nn in zip(mats, dots, norm2):
            nn[best] += 2 * dt[i, best] + g[i, i]
            dt[:, best] += g[:, i]
        pred[d.article_id] = f"s{best}"
    return pred


def points(method: str) -> list[tuple[float, float]]:
    """(tfidf weight, threshold) grid of a method."""
    r = lambda a, b, s: [round(a + s * k, 3) for k in range(int(round((b - a) / s)) + 1)]  # noqa: E731
    if method == "tfidf":
        return [(1.0, t) for t in r(0.10, 0.60, 0.025)]
    if method.startswith("emb"):
        return [(0.0, t) for t in r(0.30, 0.90, 0.025)]
    return [(w, t) for w in (0.2, 0.35, 0.5, 0.65, 0.8) for t in r(0.15, 0.80, 0.025)]


def mats_for(method: str, grams: Grams, order: Sequence[Doc], w: float):
    emb = method.split(":", 1)[1] if ":" in method else None
    out = []
    if w > 0:
        out.append((grams.ordered("tfidf", order), w))
    if w < 1:
        out.append((grams.ordered(emb, order), 1 - w))
    return out


def objective(s: dict) -> float:
    return (s["pairwise_f1"] + s["bcubed_f1"]) / 2


FOLD_KIND = "story_inputs"      # or "topic_folds" (services/evaluation/topic_folds.py: dealt by size)
FOLD_SEED = 0                   # story_inputs.folds' seed (the product's CV uses 0)


def topic_folds(docs: Sequence[Doc]) -> list[list[Doc]]:
    if FOLD_KIND == "topic_folds":
        from services.evaluation.topic_folds import fold_indices
        return [[docs[i] for i in idx] for idx in fold_indices([{"story": d.story} for d in docs], K)]
    return folds(docs, K, FOLD_SEED)


def evaluate(docs: list[Doc], method: str, emb: dict[str, np.ndarray], seeds: Sequence[int]) -> dict:
    gold = {d.article_id: d.story for d in docs}
    fold_docs = topic_folds(docs)
    pts = points(method.split(":")[0] if ":" in method else method)
    fold_grams = [Grams(f, emb) for f in fold_docs]
    whole = Grams(docs, emb)
    alone: dict = {}        # (fold, seed, point) -> pred
    full: dict = {}         # (seed, point) -> pred
    for s in seeds:
        orders = [stream(f, s) for f in fold_docs]
        worder = stream(docs, s)
        for p, (w, t) in enumerate(pts):
            for f, o in enumerate(orders):
                alone[(f, s, p)] = {a: f"{f}:{c}" for a, c in single_pass(o, mats_for(method, fold_grams[f], o, w), t).items()}
            full[(s, p)] = single_pass(worder, mats_for(method, whole, worder, w), t)
    # fit on everything: one point for every order
    fit_vals = [statistics.fmean(objective(score_clusters(gold, full[(s, p)])) for s in seeds) for p in range(len(pts))]
    p_all = max(range(len(pts)), key=lambda p: (fit_vals[p], -p))
    res = {"method": method, "fit_point": pts[p_all],
           "fit": {s: score_clusters(gold, full[(s, p_all)]) for s in seeds}, "cv": {}, "cv_context": {},
           "cv_context_chosen": {}, "chosen": [], "chosen_in_context": []}
    for s in seeds:
        pooled, counts, counts_ctx = {}, [], []
        for f in range(K):
            train = [g for g in range(K) if g != f]
            tg = {a: gold[a] for g in train for a in (d.article_id for d in fold_docs[g])}
            held = [d.article_id for d in fold_docs[f]]

            def val(p):
                pred = {a: c for g in train for a, c in alone[(g, s, p)].items()}
                return objective(score_clusters(tg, pred))

            def val_ctx(p):     # the training folds' articles inside the whole stream (all pairs)
                return objective(score_counts([held_out_counts(gold, full[(s, p)], tg)]))
            p = max(range(len(pts)), key=lambda q: (val(q), -q))
            res["chosen"].append(pts[p])
            pooled.update(alone[(f, s, p)])
            counts.append(held_out_counts(gold, full[(s, p)], held))
            pc = max(range(len(pts)), key=lambda q: (val_ctx(q), -q))
            res["chosen_in_context"].append(pts[pc])
            counts_ctx.append(held_out_counts(gold, full[(s, pc)], held))
        res["cv"][s] = score_clusters(gold, pooled)
        res["cv_context"][s] = score_counts(counts)
        res["cv_context_chosen"][s] = score_counts(counts_ctx)
    return res


def baseline(docs: list[Doc], seeds: Sequence[int]) -> dict:
    """The baseline as is (threshold 0.3) over the whole stream, checked against its own module;
    and the same fixed threshold on each fold alone, pooled (comparable with the CV rows)."""
    from services.evaluation.tfidf_baseline import single_pass as product_pass
    gold = {d.article_id: d.story for d in docs}
    whole, fold_docs = Grams(docs, {}), topic_folds(docs)
    out = {"fit": {}, "cv": {}}
    for s in seeds:
        o = stream(docs, s)
        mine = single_pass(o, [(whole.ordered("tfidf", o), 1.0)], 0.3)
        ref = product_pass(o)
        same = score_clusters(ref, mine)
        assert same["pairwise_f1"] == 1.0 and same["bcubed_f1"] == 1.0, "single_pass differs from the baseline"
        out["fit"][s] = score_clusters(gold, mine)
        pooled = {}
        for f, fd in enumerate(fold_docs):
            fo = stream(fd, s)
            pooled.update({a: f"{f}:{c}" for a, c in single_pass(fo, [(Grams(fd, {}).ordered("tfidf", fo), 1.0)], 0.3).items()})
        out["cv"][s] = score_clusters(gold, pooled)
    return out


def mean_row(per_order: dict) -> dict:
    keys = ("pairwise_f1", "bcubed_f1", "pairwise_p", "pairwise_r", "bcubed_p", "bcubed_r", "pred_stories")
    return {k: round(statistics.fmean(v[k] for v in per_order.values()), 4) for k in keys} | {
        "worst_pairwise_f1": round(min(v["pairwise_f1"] for v in per_order.values()), 4),
        "worst_bcubed_f1": round(min(v["bcubed_f1"] for v in per_order.values()), 4)}


def load_emb(emb_dir: Path, names: Sequence[str]) -> tuple[list[str], dict[str, np.ndarray]]:
    ids = json.loads((emb_dir / "ids.json").read_text())
    return ids, {n: np.load(emb_dir / f"{n}.npy") for n in names if (emb_dir / f"{n}.npy").exists()}


DATA = {"dev+more": (("ecbplus_dev.jsonl", "ecbplus_more.jsonl"), (0, 1, 2)),
        "news_cluster": (("news_cluster.jsonl",), (0,))}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--emb-dir", type=Path, default=EMB_DIR)
    ap.add_argument("--emb", nargs="+", default=["st_doc", "st_sent", "ort-int8_doc", "ort-int8_sent"])
    ap.add_argument("--combo", nargs="+", default=["st_doc", "st_sent"], help="embeddings combined with TF-IDF")
    ap.add_argument("--folds", choices=("story_inputs", "topic_folds"), default="story_inputs",
                    help="story_inputs.folds (the product's story CV) or topic_folds.fold_indices")
    ap.add_argument("--fold-seed", type=int, default=0, help="seed of story_inputs.folds (another dealing of the topics)")
    ap.add_argument("--out", type=Path, default=EMB_DIR / "clustering.json")
    args = ap.parse_args(argv)
    global FOLD_KIND, FOLD_SEED
    FOLD_KIND, FOLD_SEED = args.folds, args.fold_seed
    ids, emb = load_emb(args.emb_dir, args.emb)
    out = {}
    for name, (files, seeds) in DATA.items():
        docs = load(files, ids)
        t0 = time.process_time()
        rows = {"baseline": baseline(docs, seeds)}
        for m in ["tfidf", *(f"emb:{e}" for e in emb), *(f"combo:{e}" for e in args.combo if e in emb)]:
            r = evaluate(docs, m, emb, seeds)
            rows[m] = r
            print(f"{name:13} {m:20} fit {r['fit_point']} {mean_row(r['fit'])['pairwise_f1']:.3f}/"
                  f"{mean_row(r['fit'])['bcubed_f1']:.3f}  cv {mean_row(r['cv'])['pairwise_f1']:.3f}/"
                  f"{mean_row(r['cv'])['bcubed_f1']:.3f}  ctx {mean_row(r['cv_context'])['pairwise_f1']:.3f}/"
                  f"{mean_row(r['cv_context'])['bcubed_f1']:.3f}  ctx-chosen {mean_row(r['cv_context_chosen'])['pairwise_f1']:.3f}/"
                  f"{mean_row(r['cv_context_chosen'])['bcubed_f1']:.3f}  chosen {sorted(set(map(tuple, r['chosen'])))}",
                  flush=True)
        out[name] = {m: {k: (mean_row(v) if k in ("fit", "cv", "cv_context", "cv_context_chosen") else v) for k, v in r.items()}
                     for m, r in rows.items()}
        print(f"{name}: {time.process_time() - t0:.0f} CPU s", flush=True)
    args.out.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
