"""Quote extraction end to end: continuations, headline quotes, introduced speakers, offsets and
the DocBin round trip."""
from __future__ import annotations

import pytest

from services.common.nlp import doc_from_bytes, doc_to_bytes, parse_articles
from services.quotes.extract import extract_quotes

from .articles import ARTICLES, quotes


@pytest.mark.parametrize("name, speaker", [
    ("between", "Robert Miles"),      # speaker between the two parts
    ("said_to_be", "Peter Cole"),     # "said to be" inside the second part is not a cue
])
def test_second_part_continues_the_first_speaker(docs, name, speaker):
    qs = quotes(docs, name)
    assert [q.speaker for q in qs] == [speaker, speaker]
    assert qs[1].speaker_type == "continuation"


def test_headline_quote(docs):
    title, body = docs["headline"]
    qs = extract_quotes(body, title)
    head = [q for q in qs if q.kind == "headline"]
    assert len(head) == 1 and head[0].text == "a fair deal"
    assert title.text[head[0].start:head[0].end] == "a fair deal"
    assert head[0].speaker == "Anna Clark"


def test_new_speaker_introduced_without_verb(docs):
    qs = quotes(docs, "introduced")
    assert [q.speaker for q in qs] == ["Robert Hale", "Maria Santos"]
    assert qs[1].speaker_type == "continuation"


def test_indirect_speech_before_cueless_quote_gives_the_source(docs):
    (q,) = quotes(docs, "statement_compound")
    assert q.speaker == "Transport Ministry"
    (q,) = quotes(docs, "indirect_before")
    assert q.speaker == "Carl Jensen"


def test_offsets_exact(docs):
    for key in ARTICLES:
        title, body = docs[key]
        for q in extract_quotes(body, title):
            text = title.text if q.kind == "headline" else body.text
            assert text[q.start:q.end] == q.text
            if q.speaker_mention is not None:
                m = q.speaker_mention
                assert body.text[m.start:m.end] == m.text


def test_docbin_round_trip(docs):
    for key in ARTICLES:
        title, body = docs[key]
        rt_title, rt_body = doc_from_bytes(doc_to_bytes(title)), doc_from_bytes(doc_to_bytes(body))
        assert extract_quotes(rt_body, rt_title) == extract_quotes(body, title)


def test_no_quotes_and_empty_title(docs):
    _, body = parse_articles([("x", "Nothing was said here. It's quiet.")])[0]
    assert extract_quotes(body) == []
