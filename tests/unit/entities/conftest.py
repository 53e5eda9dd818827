"""Invented articles parsed once for the entities tests, and the eval data's parses."""
import hashlib
from pathlib import Path

import pytest
import spacy
import srsly

from services.common.nlp import MODEL_NAME, doc_from_bytes, doc_to_bytes, parse_articles
from services.evaluation.entities import load_records

ARTICLES = {
    "roles": (
        "Arvell meets Saric in Korvana",
        "President Tomas Arvell met Eastland Defense Minister Ivo Saric in Korvana on Tuesday. "
        "Arvell said the talks were useful, and Saric agreed. "
        "Veldoria’s foreign ministry welcomed the meeting, calling Veldoria's role central.",
    ),
    "hyphen": (
        "Anna-Maria Kessler wins",
        "Anna Maria Kessler won the regional chess title in Brenton on Sunday. "
        "Anna-Maria Kessler, 24, beat the favourite in 40 moves. Kessler said she was tired. "
        "Fans of Anna Maria Kessler celebrated in the streets, and Anna Maria Kessler thanked them.",
    ),
    "acronym": (
        "Maritime board fines shipper",
        "The Federal Maritime Board (FMB) fined Ostrava Shipping on Monday, officials said. "
        "The FMB said the company had ignored safety rules for two years. "
        "Ostrava Shipping said it would appeal the FMB decision.",
    ),
    "headline": (
        "Lena Korr Returns To Brenton After Long Absence",
        "http://example.org/news/lena-korr-returns\n"
        "Lena Korr Returns To Brenton After Long Absence\n"
        "March 3, 2021\n"
        "By Peter Quist, Daily Ledger\n"
        "Singer Lena Korr returned to Brenton on Friday after three years abroad. "
        "Korr told reporters she was happy to be home. The Brenton city council "
        "said it would hold a reception for Korr next week.",
    ),
    "nickname": (
        "Jenna Lorvik Checks Into Rehab, Checks Out Two Hours Later",
        "JeLo's lawyer told the judge on Monday that JeLo was in a treatment centre. In fact JeLo was "
        "shopping in Fairhaven, reporters said. JeLo later arrived at the clinic in Westport.",
    ),
    "inner-nickname": (
        "Reputed mob boss dies in prison",
        'Reputed mob boss Tomas "The Hammer" Verlin died on Sunday. Verlin, 74, had feigned illness '
        "for years. His brother, Paul Verlin, a priest, said he was at peace. Deputy Luis Armando "
        "(Lucho) Ferrera guarded him for a decade. Lucho Ferrera said the prison was quiet.",
    ),
    "nickname-hyphen": (
        "Marco Teval Signs With Harbor City",
        "Slugger M-Tev agreed terms on Friday, his agent said. M-Tev will earn more than any player "
        "in the league. Fans cheered when M-Tev arrived at the ballpark.",
    ),
}


@pytest.fixture(scope="package")
def parsed():
    docs = parse_articles(list(ARTICLES.values()))
    return dict(zip(ARTICLES, docs))


# ----------------------------------------------------------------- eval data, parsed once
# The ECB+ files are parsed once and kept in pytest's cache as DocBin bytes, keyed by the
# file's content, the spaCy model and the spaCy version, so repeated runs only re-run
# extraction and scoring.
def _cache_key(path: Path) -> str:
    h = hashlib.sha1(path.read_bytes())
    h.update(f"{MODEL_NAME}|{spacy.__version__}".encode())
    return f"{path.stem}-{h.hexdigest()[:16]}"


def parsed_eval(config, path: Path) -> tuple[list[dict], list]:
    """Records and ``(title, body)`` docs of an ECB+ file; fails (never skips) when it is missing."""
    if not path.exists():
        pytest.fail(f"{path} is missing: the eval data must sit in ../shared beside the repository")
    records = load_records(path)
    cache = getattr(config, "cache", None)
    target = cache.mkdir("entities_parsed") / f"{_cache_key(path)}.msgpack" if cache is not None else None
    if target is not None and target.exists():
        try:
            blobs = srsly.msgpack_loads(target.read_bytes())
            return records, [(doc_from_bytes(t), doc_from_bytes(b)) for t, b in blobs]
        except Exception:  # a damaged cache entry: parse again
            target.unlink()
    docs = parse_articles([(r["title"], r["body"]) for r in records])
    if target is not None:
        target.write_bytes(srsly.msgpack_dumps([(doc_to_bytes(t), doc_to_bytes(b)) for t, b in docs]))
    return records, docs
