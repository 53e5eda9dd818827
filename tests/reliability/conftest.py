"""Reliability suite fixtures.

The hostile-input and shutdown tests share the session broker (``kafka_bootstrap``
from tests/conftest.py); the fault-injection test starts its own LocalBroker
because it kills and restarts it.  Figures measured by every test are collected
in ``figures`` and printed at the end of the run (and on stderr as they come).
"""
from __future__ import annotations

import json
import logging

import pytest

# the suite's own consumers reconnect while the broker restarts; aiokafka logs every attempt
logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

_FIGURES: dict[str, dict] = {}


@pytest.fixture
def figures(request):
    """A dict the test fills with what it measured; printed in the terminal summary."""
    d: dict = {}
    _FIGURES[request.node.nodeid] = d
    return d


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for node, figs in _FIGURES.items():
        terminalreporter.write_line(node)
        for k, v in figs.items():
            text = v if isinstance(v, str) else json.dumps(v, default=str)
            terminalreporter.write_line(f"    {k}: {text}")
