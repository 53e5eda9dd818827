"""States and their deltas: the entities a delta names are the ones new since the last state."""
from __future__ import annotations

from services.aggregator.updates import Announcer, quotes_added
from tests.unit.aggregator.test_helpers import Q1, Q2, T0, ent, flood, quake, run


def test_a_delta_names_only_the_entities_and_quotes_new_to_the_story():
    eng, ups = run([flood("f1", 0, [Q1])])
    story = eng.stories[ups[0].story_id]
    announcer = Announcer(50)
    known_quotes, known_names = announcer.snapshot(story)
    assert known_names == {"Ada Brennor", "Norwick", "River Vell"} and len(known_quotes) == 1
    eng.process(*quake("q1", 1), T0)
    q, e = flood("f2", 1, [Q2])
    more = e.model_copy(update={"entities": [*e.entities, ent("Orla Vence")]})
    assert eng.process(q, more, T0).story_id == story.story_id
    state = announcer.announce(story, {"quotes_added": quotes_added(story, known_quotes)}, known_names)
    assert state.delta.entities_added == ["Orla Vence"] and len(state.delta.quotes_added) == 1
    assert announcer.snapshot(story)[1] == {e.name for e in state.entities}
    assert announcer.restate(story, {"articles_removed": ["f9"]}, remember=False).delta.articles_removed == ["f9"]
