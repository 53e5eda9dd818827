"""Time of the parse's (de)serialisation between services (``doc_to_bytes`` /
``doc_from_bytes`` of ``services.common.nlp``) on the title and body docs of the
seeds; prints CPU milliseconds per doc for each (CPU time: on a shared machine it
varies far less than wall time), and a digest of every byte written, so that two
versions can be compared for speed and for identical output.

    python -m bench.docbin [--rounds N]
"""
from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

from services.common.nlp import blank_vocab_nlp, doc_from_bytes, doc_to_bytes, parse_articles
from services.producer.sources import SourceError, read_paths

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def per_doc_ms(fn, items, rounds: int) -> float:
    """Median over ``rounds`` of the mean CPU time of ``fn`` per item, in milliseconds."""
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        for item in items:
            fn(item)
        times.append((time.process_time() - t0) / len(items) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.docbin", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args(argv)
    articles = [a for a in read_paths([str(SEEDS)]) if not isinstance(a, SourceError)]
    docs = [doc for pair in parse_articles([(a.title, a.body) for a in articles]) for doc in pair]
    data = [doc_to_bytes(doc) for doc in docs]
    nlp = blank_vocab_nlp()
    doc_from_bytes(data[0], nlp)  # first use outside the timing
    to_ms = per_doc_ms(doc_to_bytes, docs, args.rounds)
    from_ms = per_doc_ms(lambda b: doc_from_bytes(b, nlp), data, args.rounds)
    digest = hashlib.sha256(b"".join(data)).hexdigest()[:16]
    print(f"{len(docs)} docs ({sum(len(d) for d in docs)} tokens, {sum(map(len, data))} bytes, sha256 {digest}), "
          f"median of {args.rounds} rounds: doc_to_bytes {to_ms:.3f} CPU ms/doc, doc_from_bytes {from_ms:.3f} CPU ms/doc")
    return 0


if __name__ == "__main__":
    sys.exit(main())
