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
    # no score reaches the threshold, and no learned rescue
    strict = dataclasses.replace(ClusterParams(), match_threshold=10.0, rescue_coef=())
    _, ups = run(reports, StoryEngine(EngineConfig(params=strict)))
    assert len({u.story_id for u in ups}) == 3


def test_every_field_is_fitted_or_says_why_not():
    from services.aggregator.params import FITTED, NOT_FITTED
    fields = {f.name for f in dataclasses.fields(ClusterParams)}
    assert set(FITTED) <= fields, f"fitted.json names unknown fields: {set(FITTED) - fields}"
    assert not set(FITTED) & set(NOT_FITTED), "a field is both fitted and hand-set"
    missing = fields - set(FITTED) - set(NOT_FITTED)
    assert not missing, f"hand-set without a reason (NOT_FITTED) and not fitted: {sorted(missing)}"
    assert set(NOT_FITTED) <= fields, f"NOT_FITTED names unknown fields: {set(NOT_FITTED) - fields}"
    assert all(len(why) > 20 for why in NOT_FITTED.values())


def test_the_defaults_are_the_fitted_values_and_the_fit_script_fits_exactly_them():
    from services.aggregator.params import FITTED
    from services.evaluation.story_cv import GRID
    rescue = {"rescue_coef", "rescue_intercept", "rescue_threshold"}   # the learned rescue (story_learned)
    assert set(GRID) | rescue == set(FITTED), "fitted.json holds the grid's parameters and the rescue's"
    for name, value in FITTED.items():
        assert getattr(ClusterParams(), name) == (tuple(value) if isinstance(value, list) else value)
        if name in GRID:
            assert value in GRID[name], f"{name}={value} is not a value the fit tries"
