"""The restart-memory bench (bench/aggrestart.py) opens exactly the stories it is asked to."""
from __future__ import annotations

from bench import aggrestart


def test_restart_bench_opens_exactly_the_stories_asked_for():
    out = aggrestart.run(600, open_stories=20, reopen_days=3)
    assert out["stories"] == 60 and out["open_in_tables"] == 20
    assert out["open_and_window"]["open_stories"] == 20
    assert out["open_and_window"]["indexed_stories"] == 20      # a 3-day window holds only the open
    assert out["all_records"]["peak_kb"] > out["open_and_window"]["peak_kb"]   # it parsed every record
