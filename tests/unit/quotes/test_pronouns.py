"""Pronoun speakers: gender, groups and topical antecedents."""
from __future__ import annotations

from .articles import quotes


def test_pronoun_resolution_with_gender(docs):
    qs = quotes(docs, "pronoun")
    assert qs[0].speaker == "Daniel Ortiz" and qs[0].speaker_type == "pronoun"
    assert qs[1].speaker == "Helen Park"


def test_pronoun_skips_person_of_other_gender(docs):
    (q,) = quotes(docs, "same_gender")
    assert q.speaker == "Anna Kovacs" and q.speaker_type == "pronoun"


def test_plural_proper_noun_is_not_a_pronoun_antecedent(docs):
    qs = quotes(docs, "group_not_antecedent")
    assert qs[1].speaker == "Paul Martin" and qs[1].speaker_type == "pronoun"


def test_name_heading_a_who_clause_is_a_topical_antecedent(docs):
    qs = quotes(docs, "who_head_antecedent")
    assert qs[1].speaker == "Tom Hale" and qs[1].speaker_type == "pronoun"
