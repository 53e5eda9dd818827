"""Evaluation of entity extraction and canonical names on ECB+ and the seed aliases.

Run: ``python -m services.evaluation.entities [path/to/ecbplus_dev.jsonl]``.

Scoring rules
-------------
Which gold mentions count and their cores are defined in
:mod:`services.evaluation.entity_gold` (*named gold mentions*, *core*, *types*).

*Matching.*  A predicted mention matches a named gold mention when their char
spans overlap the gold core; pairs are matched one-to-one, largest overlap first
("partial match with head agreement").

*Precision* counts predicted mentions that start inside a ``selected`` span
(the rest of the text is not annotated); one is correct when it overlaps any
gold mention (named or not).  ECB+ annotates only participants of the two
events of each topic, so correct names of bystanders count as false
positives: precision is a lower bound.

*Types.*  Recall is bucketed by gold type, precision by predicted type, and
matching ignores type; ``type_accuracy`` is the share of matched pairs with
the same coarse type.

*B-cubed* runs over matched named gold mentions.  Gold clusters: the chain id
(cross-document), ``INTRA_`` chains within their article, null chains as
singletons.  Predicted clusters: ``canonical_key(name)`` across all articles
(what the aggregator joins on).  ``bcubed_within`` restricts both sides to one
article.  ``bcubed_surface`` is a baseline whose clusters are the keys of the
raw mention texts, showing what canonicalisation adds.

*Story-level B-cubed* (``bcubed_story``, reported separately; it does not
replace the per-article metrics) scores what the story state shows: the
articles are grouped by their gold ``story`` and each story's names are
merged with the aggregator's own rule
(:func:`services.aggregator.entities.resolve_short_names`: a short name
joins the unique longer name of the same type in the story, "Red Hawks" ->
"Orland Red Hawks").  Predicted clusters are the merged keys.  Grouping by
the gold story isolates entity merging from story-clustering errors, so it is
an upper bound on what the live pipeline shows.

*Chained B-cubed* (``bcubed_chained``) is the story-level score over the
named gold mentions of *cross-document chains* (chains whose named mentions
occur in two articles or more): what linking one entity across articles
achieves.  Here a gold mention without a matching predicted mention counts as
its own predicted entity (a recall loss), and unlinked or in-article gold
mentions are left out, so a right merge of two mentions the gold leaves
unlinked is not counted as an error.

*Cross-validation* by topic is in :mod:`services.evaluation.entities_cv`.
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from schemas.models import ArticleEntities, ArticleMeta, EntityMention
from services.aggregator.entities import add_entities, article_entities, entity_key, resolve_short_names
from services.common.nlp import parse_articles
from services.entities.canonical import canonical_key
from services.entities.extract import extract_entities
from services.evaluation.entity_gold import COARSE_TYPES, coarse_gold_type, coarse_pred_type, gold_core, is_named

_SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEFAULT_ECB_PATH = _SHARED / "eval" / "ecbplus_dev.jsonl"
DEFAULT_SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"
DEFAULT_SEED_GOLD = _SHARED / "gold" / "seed_quotes.json"


# ----------------------------------------------------------------- matching
def _match(golds: list[tuple[int, int]], preds: list[tuple[int, int]]) -> dict[int, int]:
    """One-to-one gold index -> pred index, largest overlap first."""
    pairs = []
    for gi, (gs, ge) in enumerate(golds):
        for pi, (ps, pe) in enumerate(preds):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                pairs.append((-overlap, gi, pi))
    pairs.sort()
    used_g, used_p, out = set(), set(), {}
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out[gi] = pi
    return out


class PredictedMention(NamedTuple):
    """One predicted mention with its entity's canonical name and type (sorts by offsets)."""

    start: int
    end: int
    name: str
    type: str
    surface: str


def _flatten(entities: Sequence[EntityMention]) -> list[PredictedMention]:
    """(start, end, canonical name, type, surface) of every predicted mention, sorted."""
    out = [PredictedMention(m.start, m.end, e.name, e.type, m.text) for e in entities for m in e.mentions]
    return sorted(out)


# ----------------------------------------------------------------- B-cubed
def bcubed(items: Iterable[tuple[object, object]]) -> dict[str, float]:
    """B-cubed precision/recall/F1 of (gold cluster, predicted cluster) items."""
    items = list(items)
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "n": 0}
    joint = Counter(items)
    gold = Counter(g for g, _ in items)
    pred = Counter(p for _, p in items)
    p = sum(n * n / pred[pc] for (gc, pc), n in joint.items()) / len(items)
    r = sum(n * n / gold[gc] for (gc, pc), n in joint.items()) / len(items)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "n": len(items)}


def _prf(tp_p: int, n_p: int, tp_r: int, n_r: int) -> dict[str, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "pred": n_p, "gold": n_r}


# ----------------------------------------------------------------- story-level merge
def story_merger(records: Sequence[dict],
                 predictions: Sequence[Sequence[EntityMention]]) -> Callable[[str, str], str]:
    """``(story, canonical name) -> merged key`` as the story state would show it.

    Feeds each gold story's articles through the aggregator's own contribution,
    aggregate and merge functions.
    """
    aggs: dict[str, dict] = defaultdict(dict)
    for rec, ents in zip(records, predictions):
        meta = ArticleMeta(article_id=rec["id"], title=rec.get("title", ""), content_hash="-")
        contrib = article_entities(ArticleEntities(article=meta, entities=list(ents)))
        add_entities(aggs[rec.get("story", "")], contrib, rec["id"])
    targets = {story: resolve_short_names(agg) for story, agg in aggs.items()}

    def merged(story: str, name: str) -> str:
        key = entity_key(name)
        return targets[story].get(key, key)

    return merged


# ----------------------------------------------------------------- scoring
BCUBED_KEYS = ("bcubed_cross", "bcubed_within", "bcubed_surface", "bcubed_story", "bcubed_chained")


def cross_document_chains(records: Sequence[dict]) -> set:
    """Gold chain ids whose named mentions occur in two articles or more."""
    docs: dict[object, set] = defaultdict(set)
    for rec in records:
        for g in rec["entities"]:
            chain = g.get("chain")
            if chain is not None and not str(chain).startswith("INTRA_") and is_named(rec["body"], g):
                docs[chain].add(rec["id"])
    return {c for c, ids in docs.items() if len(ids) >= 2}


def collect_entities(records: Sequence[dict], predictions: Sequence[Sequence[EntityMention]]) -> dict:
    """The counts and B-cubed items that :func:`score_entities` summarises (see module docstring).

    Items are ``(gold cluster, predicted cluster)`` pairs; ``bcubed_chained``
    holds every named gold mention of a cross-document chain, an unmatched
    one as its own predicted cluster.
    """
    out = {"articles": len(records), "rec_hit": Counter(), "rec_all": Counter(), "prec_hit": Counter(),
           "prec_all": Counter(), "type_ok": 0, "type_n": 0, **{k: [] for k in BCUBED_KEYS}}
    merged = story_merger(records, predictions)
    chained = cross_document_chains(records)
    for rec, ents in zip(records, predictions):
        body, doc_id = rec["body"], rec["id"]
        preds = _flatten(ents)
        named = [g for g in rec["entities"] if is_named(body, g)]
        cores = [gold_core(body, g) for g in named]
        matches = _match(cores, [(s, e) for s, e, *_ in preds])
        for gi, g in enumerate(named):
            gtype = coarse_gold_type(g["type"])
            out["rec_all"][gtype] += 1
            chain = g.get("chain")
            if gi not in matches:
                if chain in chained:
                    out["bcubed_chained"].append((("chain", chain), ("missed", doc_id, gi)))
                continue
            out["rec_hit"][gtype] += 1
            _, _, name, ptype, text = preds[matches[gi]]
            out["type_n"] += 1
            out["type_ok"] += coarse_pred_type(ptype) == gtype
            if chain is None:
                gid = ("single", doc_id, gi)
            elif str(chain).startswith("INTRA_"):
                gid = ("intra", doc_id, chain)
            else:
                gid = ("chain", chain)
            story_key = merged(rec.get("story", ""), name)
            out["bcubed_cross"].append((gid, canonical_key(name)))
            out["bcubed_within"].append(((doc_id, gid), (doc_id, canonical_key(name))))
            out["bcubed_surface"].append((gid, canonical_key(text)))
            out["bcubed_story"].append((gid, story_key))
            if chain in chained:
                out["bcubed_chained"].append((gid, story_key))
        spans = [tuple(s) for s in rec.get("selected") or []]
        all_gold = [(g["start"], g["end"]) for g in rec["entities"]]
        for s, e, _, ptype, _ in preds:
            if not any(a <= s < b for a, b in spans):
                continue
            ct = coarse_pred_type(ptype)
            out["prec_all"][ct] += 1
            out["prec_hit"][ct] += any(min(e, ge) > max(s, gs) for gs, ge in all_gold)
    return out


def summarise_entities(c: dict) -> dict:
    """Mention P/R/F1 by coarse type, type accuracy and the B-cubed scores of collected items."""
    by_type = {t: _prf(c["prec_hit"][t], c["prec_all"][t], c["rec_hit"][t], c["rec_all"][t]) for t in COARSE_TYPES}
    by_type["ALL"] = _prf(sum(c["prec_hit"].values()), sum(c["prec_all"].values()),
                          sum(c["rec_hit"].values()), sum(c["rec_all"].values()))
    return {"articles": c["articles"], "mentions": by_type,
            "type_accuracy": c["type_ok"] / c["type_n"] if c["type_n"] else 0.0,
            **{k: bcubed(c[k]) for k in BCUBED_KEYS}}


def score_entities(records: Sequence[dict], predictions: Sequence[Sequence[EntityMention]]) -> dict:
    """Mention P/R/F1 by coarse type and B-cubed of canonical names (see module docstring)."""
    return summarise_entities(collect_entities(records, predictions))


def load_records(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict(pairs: Sequence[tuple[str, str]], nlp=None) -> list[list[EntityMention]]:
    """Parse (title, body) pairs in one batch and extract their entities."""
    return [extract_entities(body, title) for title, body in parse_articles(pairs, nlp)]


def run_entities_eval(path: str | Path = DEFAULT_ECB_PATH, *, nlp=None) -> dict:
    """Parse, extract and score an ECB+-style JSONL file."""
    records = load_records(path)
    t0 = time.perf_counter()
    predictions = predict([(r["title"], r["body"]) for r in records], nlp)
    result = score_entities(records, predictions)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    return result


# ----------------------------------------------------------------- seed aliases
def read_seed(path: str | Path) -> tuple[str, str]:
    """(title, body) of a seed file: first non-empty line is the title."""
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    return lines[first].strip(), "\n".join(lines[first + 1:])


def alias_accuracy(seed_dir: str | Path = DEFAULT_SEED_DIR, gold_path: str | Path = DEFAULT_SEED_GOLD,
                   *, nlp=None, predictions: Sequence[Sequence[EntityMention]] | None = None) -> dict:
    """Fraction of the gold alias groups mapped to one canonical name across the seed articles.

    Every occurrence (whole word, case-sensitive) of the group's canonical name
    or an alias in a seed body is looked up: its predicted name is that of the
    longest predicted mention inside the occurrence (the later one on a tie:
    in "Veldoria's Lena Korr" the name is the head).  Occurrences without a
    predicted mention (descriptions such as "the vice president") are
    ignored.  A group is ``consistent`` when all its found occurrences share
    one canonical key and ``correct`` when that key is the gold canonical's.
    """
    files = sorted(Path(seed_dir).glob("*.txt"))
    pairs = [read_seed(f) for f in files]
    if predictions is None:
        predictions = predict(pairs, nlp)
    groups = json.loads(Path(gold_path).read_text(encoding="utf-8"))["entity_aliases"]
    details = {}
    for canonical, aliases in groups.items():
        keys: Counter[str] = Counter()
        for (_, body), ents in zip(pairs, predictions):
            preds = _flatten(ents)
            for alias in {canonical, *aliases}:
                for m in re.finditer(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", body):
                    inside = [p for p in preds if m.start() <= p[0] and p[1] <= m.end()]
                    if inside:
                        best = max(inside, key=lambda p: (p[1] - p[0], p[0]))  # longest, then last
                        keys[canonical_key(best[2])] += 1
        details[canonical] = {
            "keys": dict(keys),
            "consistent": len(keys) == 1,
            "correct": set(keys) == {canonical_key(canonical)},
        }
    n = len(details) or 1
    return {
        "groups": len(details),
        "accuracy": sum(d["correct"] for d in details.values()) / n,
        "consistency": sum(d["consistent"] for d in details.values()) / n,
        "details": details,
    }


# ----------------------------------------------------------------- report
def format_table(result: dict) -> str:
    """Plain-text tables of a :func:`run_entities_eval` (and optional alias) result."""
    lines = []
    if "mentions" in result:
        lines.append(f"Mentions ({result.get('articles', '?')} articles; precision inside selected spans)")
        lines.append(f"{'type':<8}{'P':>8}{'R':>8}{'F1':>8}{'pred':>8}{'gold':>8}")
        for t, m in result["mentions"].items():
            lines.append(f"{t:<8}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                         f"{m['pred']:>8}{m['gold']:>8}")
        lines.append(f"type accuracy of matched mentions: {result['type_accuracy']:.3f}")
        lines.append("")
        lines.append(f"{'B-cubed':<31}{'P':>8}{'R':>8}{'F1':>8}{'n':>8}")
        for label, key in (("cross-article (canonical)", "bcubed_cross"),
                           ("within-article (canonical)", "bcubed_within"),
                           ("cross-article (raw surface)", "bcubed_surface"),
                           ("story state (gold stories)", "bcubed_story"),
                           ("story state, chained mentions", "bcubed_chained")):
            b = result.get(key)
            if b is None:
                continue
            lines.append(f"{label:<31}{b['precision']:>8.3f}{b['recall']:>8.3f}{b['f1']:>8.3f}{b['n']:>8}")
    if "aliases" in result:
        a = result["aliases"]
        if lines:
            lines.append("")
        lines.append(f"Seed alias groups: accuracy {a['accuracy']:.3f}, consistency {a['consistency']:.3f} "
                     f"({a['groups']} groups)")
        for name, d in a["details"].items():
            if not d["correct"]:
                lines.append(f"  miss {name}: {d['keys']}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    path = argv[1] if len(argv) > 1 else DEFAULT_ECB_PATH
    result = run_entities_eval(path)
    result["aliases"] = alias_accuracy()
    print(format_table(result))


if __name__ == "__main__":
    main(sys.argv)
