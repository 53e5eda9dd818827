"""The parameters object: frozen, and the engine runs on whichever it is given."""
from __future__ import annotations

import dataclasses

import pytest

from services.aggregator.engine import EngineConfig, StoryEngine
from services.aggregator.params import ClusterParams
from tests.unit.aggregator.test_helpers import flood, run


def test_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ClusterParams().match_threshold = 0.5


def test_the_engine_places_with_the_params_it_is_given():
    reports = [flood("f1"), flood("f2", 1), flood("f3", 2)]
    _, ups = run(reports)
    assert len({u.story_id for u in ups}) == 1
    strict = dataclasses.replace(ClusterParams(), match_threshold=10.0)   # no score reaches it
    _, ups = run(reports, StoryEngine(EngineConfig(params=strict)))
    assert len({u.story_id for u in ups}) == 3
