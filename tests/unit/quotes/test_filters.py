"""Quote filters: titles of works, names and scare quotes are not quotes; full or partial quotes."""
from __future__ import annotations

from .articles import quotes


def test_partial_quote(docs):
    (q,) = quotes(docs, "partial")
    assert q.text == "a recipe for disaster" and q.kind == "partial"
    assert q.speaker == "Peter Hall" and q.cue == "called"


def test_titles_are_not_quotes(docs):
    qs = quotes(docs, "titles")
    assert [q.text for q in qs] == ["I missed acting,"]
    assert qs[0].speaker == "Paul Grant"


def test_titles_lists_awards_and_scare_modifiers_are_not_quotes(docs):
    qs = quotes(docs, "titles_scare")
    assert [q.text for q in qs] == ["I am thrilled,", "simply wonderful."]
    assert qs[1].kind == "partial" and qs[1].speaker == "Marta Kline"


def test_scare_quotes_in_reporter_framing_are_dropped(docs):
    for key in ("scare_relative", "scare_while", "scare_so_called", "scare_billed_as"):
        assert quotes(docs, key) == [], key
    (q,) = quotes(docs, "kept_partial")
    assert q.text == "a clear link" and q.kind == "partial"
