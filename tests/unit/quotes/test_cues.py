"""Reporting cues: which verb next to a quote introduces it."""
from __future__ import annotations

from .articles import quotes


def test_according_to(docs):
    (q,) = quotes(docs, "according")
    assert q.speaker == "Sarah Mills" and q.cue == "according to"


def test_next_sentence_with_its_own_object_is_not_the_cue(docs):
    qs = quotes(docs, "new_sentence_verb")
    assert qs[1].speaker == "Laura Finch" and qs[1].cue is None


def test_cue_introducing_the_next_quote_is_not_taken_by_the_previous_one(docs):
    qs = quotes(docs, "introduces_next")
    assert [q.speaker for q in qs] == ["Laura Finch", "Laura Finch", "Tom Hardy"]


def test_intro_line_ending_in_reporting_verb_and_comma(docs):
    (q,) = quotes(docs, "intro_comma")
    assert q.speaker == "Andrew Price" and q.cue == "commented"


def test_active_naming_verb_is_a_cue(docs):
    (q,) = quotes(docs, "named_verb")
    assert q.cue == "named" and "Starlight" in q.speaker


def test_reporting_verb_in_a_because_clause_is_not_the_cue(docs):
    (q,) = quotes(docs, "subordinate_after")
    assert q.speaker == "Dana White"
