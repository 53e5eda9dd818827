"""Quote marks: curly, straight and single quotes, apostrophes, guillemets, multi-paragraph quotes."""
from __future__ import annotations

from .articles import quotes


def test_apostrophes_do_not_split_quotes(docs):
    (q,) = quotes(docs, "apostrophes")
    assert q.text == "It’s the country’s best year since the ’90s,"
    assert q.speaker == "Maria Lopez"


def test_unclosed_multi_paragraph_quote(docs):
    qs = quotes(docs, "multipara")
    assert [q.text for q in qs] == ["We have cut waste in every department.", "Next year we will do even more,"]
    assert all(q.speaker == "Ellen Marsh" for q in qs)


def test_guillemets(docs):
    (q,) = quotes(docs, "guillemets")
    assert q.text == "We are ready to negotiate" and q.speaker == "Jan Novak"
