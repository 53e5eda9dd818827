"""CPU per article of the two extractors (quotes, entities), each from the shipped parse as
their workers run them (``services.pipeline.quotes_result`` / ``entities_result``: rebuild the
``Doc`` from its bytes, run the component), next to bare ``nlp.pipe`` on the same articles in
the same run, and with ``Doc.text`` rebuilt on every access (the extractors before
``services.common.doc_text``) as the in-run baseline.  Full-length articles: the first N of
``news_cluster.jsonl`` (``../shared/eval``).  Also checks that both ways give the same output.

    python -m bench.extract [--articles N] [--rounds R]
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from bench.docbin import per_doc_ms
from services import pipeline
from services.common import doc_text
from services.common.nlp import annotate, load_nlp
from services.producer.records import record_to_article

NEWS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "news_cluster.jsonl"


@contextmanager
def text_rebuilt_per_access():
    """Every module's ``text_of`` replaced by plain ``doc.text`` (the behaviour before the cache)."""
    original = doc_text.text_of
    patched = [m for name, m in list(sys.modules.items())
               if name.startswith("services.") and getattr(m, "text_of", None) is original]
    for m in patched:
        m.text_of = lambda doc: doc.text
    try:
        yield len(patched)
    finally:
        for m in patched:
            m.text_of = original


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if not NEWS.exists():
        print(f"missing {NEWS} (../shared beside the repository)", file=sys.stderr)
        return 2
    records = [json.loads(line) for line in NEWS.open(encoding="utf-8")][: args.articles]
    articles = [record_to_article({"id": r["id"], "title": r["title"], "body": r["body"],
                                   "published": r["published"]}, f"{NEWS.name}:{i}")
                for i, r in enumerate(records, 1)]
    nlp = load_nlp()
    annotations = pipeline.annotate_articles(articles, nlp)
    texts = [t for a in articles for t in (a.title, a.body)]
    bare = per_doc_ms(lambda _: annotate(texts, nlp), [None], args.rounds) / len(articles)

    rows = {}
    outputs = {}
    for label in ("text rebuilt per access (before)", "text kept (now)"):
        with (text_rebuilt_per_access() if label.endswith("(before)") else _nothing()):
            q = per_doc_ms(pipeline.quotes_result, annotations, args.rounds)
            e = per_doc_ms(pipeline.entities_result, annotations, args.rounds)
            outputs[label] = [(pipeline.quotes_result(a).model_dump_json(),
                               pipeline.entities_result(a).model_dump_json()) for a in annotations]
        rows[label] = (q, e)
    before, now = outputs.values()
    same = before == now

    tokens = sum(a.tokens for a in annotations) / len(annotations)
    print(f"{len(articles)} articles of {NEWS.name} ({tokens:.0f} tokens each on average), "
          f"median of {args.rounds} rounds, CPU ms per article")
    print(f"bare nlp.pipe (title + body): {bare:.1f} ms")
    print("| extractors | quotes | entities | quotes + entities | x bare nlp.pipe |")
    print("|---|---|---|---|---|")
    for label, (q, e) in rows.items():
        print(f"| {label} | {q:.1f} | {e:.1f} | {q + e:.1f} | {(q + e) / bare:.2f} |")
    print(f"same output both ways: {same}")
    return 0 if same else 1


@contextmanager
def _nothing():
    yield


if __name__ == "__main__":
    sys.exit(main())
