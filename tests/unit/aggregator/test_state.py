"""Rendering a story record as its state."""
from __future__ import annotations

from services.aggregator.engine import EngineConfig, StoryEngine
from tests.unit.aggregator.test_helpers import Q1, T0, flood, quote, run


def test_lists_are_capped_but_totals_are_real():
    eng = StoryEngine(EngineConfig(max_list_items=2))
    up = None
    said = ["The pumps at the north gate have failed twice since midnight.",
            "Schools across the district will stay closed until Monday.",
            "Volunteers filled forty thousand sandbags in a single afternoon.",
            "Insurance assessors arrive from the capital on Thursday morning."]
    for i in range(4):
        up = eng.process(*flood(f"f{i}", i, [quote(said[i], "Ada Brennor")]), T0)
    st = up.state
    assert len(st.articles) == 2 and st.totals.articles == 4
    assert len(st.quotes) == 2 and st.totals.quotes == 4
    assert len(st.entities) == 2 and st.totals.entities == 3
    assert st.articles[0].article_id == "f3"                          # newest first
    assert st.headline and st.summary


def test_a_speaker_name_without_an_entity_key_is_still_rendered():
    """A speaker whose entity key is empty (no letters) must not break rendering: an
    aggregation failure would dead-letter, i.e. lose, a valid article."""
    odd = quote("The water came faster than anyone in the valley expected it to come.", "...")
    eng, ups = run([flood("f1", 0, [Q1, odd])])
    assert ups[0].state.totals.articles == 1
    names = {s.name for s in ups[0].state.speakers}
    assert names == {"Ada Brennor", "..."}


def test_a_speakers_shown_name_does_not_depend_on_arrival_order():
    """Two spellings of one speaker (one entity key) in two quotes: the fuller spelling is shown
    whichever quote arrived first (a kill that re-orders articles must not rename a speaker)."""
    from services.aggregator.state import speakers

    def group(qid, name):
        return {"quote_id": qid, "variants": [{"speaker": name, "speaker_key": "orla venn",
                                               "article_id": qid, "role": None}]}
    a, b = group("q1", "Orla Venn"), group("q2", "Orla P. Venn III")
    assert [s["name"] for s in speakers([a, b])] == ["Orla P. Venn III"]
    assert [s["name"] for s in speakers([b, a])] == ["Orla P. Venn III"]
    assert speakers([a, b])[0]["quotes"] == 2
