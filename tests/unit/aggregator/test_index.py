"""The index: postings follow what was posted."""
from __future__ import annotations

from services.aggregator.index import StoryIndex
from services.aggregator.signature import StoryEntity, StorySignature


def test_index_unposts_what_it_posted_although_the_signature_changed_in_place():
    idx = StoryIndex()
    sig = StorySignature(articles=1, entities={"ada brennor": StoryEntity(1.0, 1, {"PERSON": 1}, "PERSON")},
                         terms={"flood": 1.0, "zeppelin": 1.0})
    idx.put("s1", sig)
    del sig.terms["zeppelin"]                 # as a subtracted member's term leaves the record
    idx.put("s1", sig)
    assert "t:zeppelin" not in idx.postings and idx.consistency_errors() == []
    idx.drop("s1")
    assert idx.postings == {} and idx.consistency_errors() == []
