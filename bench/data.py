"""The benchmark's articles: the dev eval set as the producer would publish them, repeated
under fresh ids, and the token count of each."""
from __future__ import annotations

import json
from pathlib import Path

from schemas.models import Article
from services.producer.records import record_to_article

EVAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "ecbplus_dev.jsonl"


def load_articles(limit: int | None = None) -> list[Article]:
    """The eval articles as the producer would publish them (validated, boilerplate-cleaned)."""
    out = []
    with open(EVAL_DATA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                out.append(record_to_article(json.loads(line), f"{EVAL_DATA.name}:{n}"))
            if limit and len(out) >= limit:
                break
    return out


def fresh(base: list[Article], n: int, tag: str) -> list[Article]:
    """``n`` articles cycling through ``base`` in order, each with a fresh id."""
    return [base[k % len(base)].model_copy(update={"article_id": f"{tag}-{k:06d}"}) for k in range(n)]


class TokenTable(dict):
    """article id -> tokens: ids made by ``fresh`` end in their index into the distinct texts."""

    def __init__(self, tokens: list[int]):
        super().__init__()
        self.tokens = tokens

    def get(self, aid, default=0):
        try:
            return self.tokens[int(aid.rsplit("-", 1)[1]) % len(self.tokens)]
        except (ValueError, IndexError):
            return default
