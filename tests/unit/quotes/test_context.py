"""The document context: sentence ends (an abbreviation's dot does not end one)."""
from __future__ import annotations

from .articles import quotes


def test_abbreviation_dot_does_not_end_the_attribution(docs):
    qs = quotes(docs, "abbreviation")
    assert [q.speaker for q in qs] == ["Karen Wells", "Karen Wells"]
    assert qs[0].cue == "said"
