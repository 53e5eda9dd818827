"""Shared fixtures for the quote tests: the gold sets are parsed once per
session, and their parses are kept in pytest's cache (as DocBin bytes, keyed by
the data file's content, the spaCy model and the spaCy version), so repeated
runs only re-run extraction and scoring, never the model."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import spacy
import srsly

from services.common.nlp import MODEL_NAME, doc_from_bytes, doc_to_bytes, parse_articles
from services.evaluation.quotes import load_gold, parse_gold
from services.evaluation.quotes_cv import run_quotes_cv

from .articles import ARTICLES

ROOT = Path(__file__).resolve().parents[3]
SEED_GOLD = ROOT.parent / "shared" / "gold" / "seed_quotes.json"
ECB_DEV = ROOT.parent / "shared" / "eval" / "ecbplus_dev.jsonl"


def _cache_key(path: Path) -> str:
    h = hashlib.sha1()
    for r in load_gold(path):  # the seed gold's article texts live in other files
        h.update(r["title"].encode() + b"\0" + r["body"].encode() + b"\1")
    h.update(f"{MODEL_NAME}|{spacy.__version__}".encode())
    return f"{path.stem}-{h.hexdigest()[:16]}"


def _parsed(config, path: Path) -> list:
    cache = getattr(config, "cache", None)
    key = _cache_key(path)
    target = cache.mkdir("quotes_parsed") / f"{key}.msgpack" if cache is not None else None
    if target is not None and target.exists():
        try:
            blobs = srsly.msgpack_loads(target.read_bytes())
            return [(doc_from_bytes(t), doc_from_bytes(b)) for t, b in blobs]
        except Exception:  # a damaged cache entry: parse again
            target.unlink()
    docs = parse_gold(load_gold(path))
    if target is not None:
        target.write_bytes(srsly.msgpack_dumps([(doc_to_bytes(t), doc_to_bytes(b)) for t, b in docs]))
    return docs


@pytest.fixture(scope="session")
def seed_result(pytestconfig):
    return run_quotes_cv(SEED_GOLD, 5, docs=_parsed(pytestconfig, SEED_GOLD))  # no stories: no folds


@pytest.fixture(scope="session")
def ecb_result(pytestconfig):
    if not ECB_DEV.exists():
        pytest.fail(f"{ECB_DEV} is missing: the eval data must sit in ../shared beside the repository")
    return run_quotes_cv(ECB_DEV, 5, docs=_parsed(pytestconfig, ECB_DEV))  # all-data scores + per-fold


@pytest.fixture(scope="session")
def docs():
    """The articles of :mod:`.articles`, parsed in one batch: ``{key: (title Doc, body Doc)}``."""
    keys = list(ARTICLES)
    parsed = parse_articles([ARTICLES[k] for k in keys])
    return dict(zip(keys, parsed))
