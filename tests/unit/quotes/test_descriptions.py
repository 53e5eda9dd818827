"""Described speakers: a description matched to a named person, group or organisation."""
from __future__ import annotations

from .articles import quotes


def test_description_resolution(docs):
    qs = quotes(docs, "description")
    assert qs[0].speaker == "Anna Clark" and qs[0].speaker_type == "description"
    assert qs[1].speaker == "a senior official" and qs[1].speaker_type == "description"


def test_the_pair_is_the_previous_joint_speakers(docs):
    qs = quotes(docs, "pair")
    assert qs[0].speaker == "Alan Price and Mark Stone"
    assert qs[1].speaker == "Alan Price and Mark Stone"


def test_typed_organisation_description(docs):
    (q,) = quotes(docs, "paper")
    assert q.speaker == "Norrbladet"
