"""Do embeddings tell a story from its look-alike sister event, or only one topic from another?
An EXPERIMENT's diagnostic (docs/experiments/embeddings.md), run with the product's venv:

    PYTHONPATH=. /work/main/.venv/bin/python bench/embeddings_auc.py [--emb-dir DIR]

ECB+ (dev+more; each topic holds two events of one kind), ROC AUC of a similarity separating:

* ``story vs sister``, pairs: two articles of one story (1) against one article of each of the
  topic's two events (0), every pair of a topic, the topics pooled (and the mean of per-topic AUCs);
* ``story vs sister``, centroids (the clusterer's question): streaming the whole set (shuffles
  0-2), each article that has earlier articles of both its story and its sister event: the cosine
  with the centroid of its story's earlier articles (1) against the sister's (0); also the share
  of those articles whose own story scores higher; and both again over the "hard" articles, whose
  own story's TF-IDF cosine is below the baseline's 0.3 (those TF-IDF alone would fragment);
* ``topic vs other topic``, pairs: two articles of one topic (1) against two of different topics (0).

news_cluster: pairs of one story (1) against pairs of two stories published at most 3 days apart
(0; what competes inside the baseline's window).

``combo`` is a logistic regression over the two cosines, fitted on the other topic folds
(story_inputs.folds) and scored on the held-out fold, the folds pooled.  TF-IDF is fitted on the
whole data set, as the baseline fits it.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from bench.embeddings_probe import EMB_DIR, K, WINDOW, Grams, load, load_emb, stream
from services.evaluation.story_inputs import folds, topic_of


HARD = 0.3   # the baseline's threshold: below it a report's own story's TF-IDF centroid does not take it


def auc(y, s) -> float:
    y = np.asarray(y)
    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def combo_cv(x: np.ndarray, y: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Held-out probabilities of a logistic regression over the similarity columns of ``x``."""
    out = np.zeros(len(y))
    for f in np.unique(fold):
        tr, te = fold != f, fold == f
        if len(np.unique(y[tr])) < 2:
            continue
        out[te] = LogisticRegression(C=1.0).fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]
    return out


def pair_table(docs, grams: Grams, names, keep, label) -> dict:
    """AUC per similarity over the pairs (i < j) that ``keep`` admits, labelled by ``label``."""
    fold_of = {d.article_id: f for f, fd in enumerate(folds(docs, K)) for d in fd}
    ii, jj = np.triu_indices(len(docs), 1)
    sel = np.array([keep(docs[i], docs[j]) for i, j in zip(ii, jj)])
    ii, jj = ii[sel], jj[sel]
    y = np.array([label(docs[i], docs[j]) for i, j in zip(ii, jj)], dtype=int)
    topic = np.array([docs[i].topic for i in ii])
    cols = {n: grams.g[n][ii, jj] for n in ["tfidf", *names]}
    fold = np.array([fold_of[docs[i].article_id] for i in ii])
    for n in names:
        cols[f"combo:{n}"] = combo_cv(np.stack([cols["tfidf"], cols[n]], 1), y, fold)
    out = {"pairs": int(len(y)), "positive": int(y.sum())}
    for n, s in cols.items():
        per_topic = [auc(y[topic == t], s[topic == t]) for t in np.unique(topic)]
        per_topic = [a for a in per_topic if a == a]
        out[n] = {"auc": round(auc(y, s), 4), "topic_mean_auc": round(float(np.mean(per_topic)), 4) if per_topic else None}
    return out


def centroid_table(docs, grams: Grams, names, seeds=(0, 1, 2)) -> dict:
    """Own story's earlier centroid against the sister event's, per article (module docstring)."""
    fold_of = {d.article_id: f for f, fd in enumerate(folds(docs, K)) for d in fd}
    rows = defaultdict(list)          # similarity -> [(own, sister)]
    fold = []
    for s in seeds:
        order = stream(docs, s)
        seen = defaultdict(list)      # story -> positions (in grams' order) of its earlier articles
        for d in order:
            me = grams.pos[d.article_id]
            sisters = [st for st in seen if st != d.story and topic_of(st) == d.topic]
            if seen.get(d.story) and sisters:
                own, sis = seen[d.story], seen[sisters[0]]
                for n in ["tfidf", *names]:
                    g = grams.g[n]
                    cos = lambda m: g[me, m].sum() / np.sqrt(max(g[np.ix_(m, m)].sum(), 1e-300))  # noqa: E731
                    rows[n].append((cos(own), cos(sis)))
                fold.append(fold_of[d.article_id])
            seen[d.story].append(me)
    fold = np.array(fold)
    out = {"articles": len(fold)}
    y = np.r_[np.ones(len(fold)), np.zeros(len(fold))].astype(int)
    f2 = np.r_[fold, fold]
    vals = {n: np.array(v) for n, v in rows.items()}
    for n in names:
        x = np.stack([np.r_[vals["tfidf"][:, 0], vals["tfidf"][:, 1]], np.r_[vals[n][:, 0], vals[n][:, 1]]], 1)
        p = combo_cv(x, y, f2)
        vals[f"combo:{n}"] = np.stack([p[:len(fold)], p[len(fold):]], 1)
    hard = vals["tfidf"][:, 0] < HARD       # the reports TF-IDF alone would not join (fragments)
    out["hard_articles"] = int(hard.sum())
    for n, v in vals.items():
        out[n] = {"auc": round(auc(y, np.r_[v[:, 0], v[:, 1]]), 4),
                  "own_beats_sister": round(float(np.mean(v[:, 0] > v[:, 1])), 4),
                  "hard_auc": round(auc(y[np.r_[hard, hard]], np.r_[v[hard, 0], v[hard, 1]]), 4),
                  "hard_own_beats_sister": round(float(np.mean(v[hard, 0] > v[hard, 1])), 4)}
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--emb-dir", type=Path, default=EMB_DIR)
    ap.add_argument("--emb", nargs="+", default=["st_doc", "st_sent", "ort-int8_doc"])
    ap.add_argument("--out", type=Path, default=EMB_DIR / "auc.json")
    args = ap.parse_args(argv)
    ids, emb = load_emb(args.emb_dir, args.emb)
    names = list(emb)
    ecb = load(("ecbplus_dev.jsonl", "ecbplus_more.jsonl"), ids)
    g = Grams(ecb, emb)
    # positions in Grams are the docs' own order, so docs[i] is row i
    out = {"story_vs_sister_pairs": pair_table(ecb, g, names, lambda a, b: a.topic == b.topic,
                                               lambda a, b: a.story == b.story),
           "story_vs_sister_centroids": centroid_table(ecb, g, names),
           "topic_vs_topic_pairs": pair_table(ecb, g, names, lambda a, b: True, lambda a, b: a.topic == b.topic)}
    nc = load(("news_cluster.jsonl",), ids)
    out["news_cluster_story_vs_window"] = pair_table(
        nc, Grams(nc, emb), names,
        lambda a, b: a.story == b.story or abs(a.published - b.published) <= WINDOW,
        lambda a, b: a.story == b.story)
    for k, v in out.items():
        print(k, json.dumps(v))
    args.out.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    sys.exit(main())
