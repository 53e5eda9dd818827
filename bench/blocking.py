"""Past one aggregator: what partitioning the story space by a blocking key would cost, on the
eval streams' gold stories.

  python -m bench.blocking        # ../shared/eval news_cluster.jsonl and ecbplus_dev.jsonl

K aggregators would each own the articles whose blocking key hashes to their shard, so two
articles of one story whose keys land in different shards end up in two stories (until something
links them across shards).  An article may also be sent to the shards of several keys (scored
in each, placed where it scores best).  For each key and K this prints the share of same-story
article pairs with no shard in common, the share of gold stories whose articles all share one
shard, the shards per article (the scoring fan-out) and the largest shard's share of the
articles (balance).  Keys (from the aggregator's own article signature):

* ``article id``  - no blocking (hash of the id): the floor, 1 - 1/K of the pairs split;
* ``place``       - the article's most salient place (GPE/LOC; articles without one: by id);
* ``entity``      - its most salient entity of any type;
* ``entities top 2`` / ``top 3`` - its 2 / 3 most salient entities (sent to each one's shard).

Salience is the signature's entity weight (type x mentions x headline).  Figures only; nothing
of this is in the product (docs/scaling.md discusses them).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
FILES = {"news_cluster": EVAL / "news_cluster.jsonl", "ecbplus_dev": EVAL / "ecbplus_dev.jsonl"}
KS = (2, 4, 8, 16)


def _shard(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % k


def keys_of(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(article id, gold story, {key name: key}) per article of an eval file."""
    from services.aggregator.signature import article_signature
    from services.evaluation import stories as ev

    out = []
    for q, e, story in ev.build_inputs(path):
        aid = e.article.article_id
        sig = article_signature(e, q)
        ranked = sorted(sig.entities.items(), key=lambda kv: (-kv[1].weight, kv[0]))
        places = [k for k, w in ranked if w.type in ("GPE", "LOC")]
        top = [k for k, _ in ranked[:3]] or ["id:" + aid]
        out.append((aid, story, {"article id": [aid], "place": [places[0] if places else "id:" + aid],
                                 "entity": top[:1], "entities top 2": top[:2], "entities top 3": top}))
    return out


def costs(rows: list[tuple[str, str, dict[str, str]]]) -> list[dict]:
    by_story = defaultdict(list)
    for aid, story, keys in rows:
        by_story[story].append(keys)
    pairs = sum(len(m) * (len(m) - 1) // 2 for m in by_story.values())
    out = []
    for name in ("article id", "place", "entity", "entities top 2", "entities top 3"):
        for k in KS:
            split = whole = 0
            for members in by_story.values():
                shards = [{_shard(key, k) for key in m[name]} for m in members]
                split += sum(1 for a, b in itertools.combinations(shards, 2) if not a & b)
                whole += bool(set.intersection(*shards))
            load = Counter(sh for _, _, keys in rows for sh in {_shard(key, k) for key in keys[name]})
            copies = sum(load.values())
            out.append({"key": name, "shards": k, "pairs_split": round(split / pairs, 3) if pairs else None,
                        "stories_whole": round(whole / len(by_story), 3),
                        "copies_per_article": round(copies / len(rows), 2),
                        "largest_shard_share": round(max(load.values()) / len(rows), 3)})
    return out


def main(argv: list[str]) -> int:
    res = {}
    for name, path in FILES.items():
        rows = keys_of(path)
        res[name] = {"articles": len(rows), "stories": len({s for _, s, _ in rows}), "costs": costs(rows)}
        print(f"\n{name}: {res[name]['articles']} articles, {res[name]['stories']} gold stories\n")
        print("| blocking key | shards | same-story pairs with no shard in common | stories in one shard whole "
              "| shards per article | largest shard (articles / all) |")
        print("|---|---|---|---|---|---|")
        for c in res[name]["costs"]:
            print(f"| {c['key']} | {c['shards']} | {c['pairs_split']} | {c['stories_whole']} | "
                  f"{c['copies_per_article']} | {c['largest_shard_share']} |")
    if argv:
        Path(argv[0]).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
