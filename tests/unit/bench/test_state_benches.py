"""The restart-memory bench (bench/aggrestart.py) opens exactly the stories it is asked to, and
the changelog bench (bench/changelog.py) measures one growing story."""
from __future__ import annotations

from bench import aggrestart, changelog


def test_restart_bench_opens_exactly_the_stories_asked_for():
    out = aggrestart.run(600, open_stories=20, reopen_days=3)
    assert out["stories"] == 60 and out["open_in_tables"] == 20
    assert out["open_and_window"]["open_stories"] == 20
    assert out["open_and_window"]["indexed_stories"] == 20      # a 3-day window holds only the open
    assert out["all_records"]["peak_kb"] > out["open_and_window"]["peak_kb"]   # it parsed every record


def test_changelog_bench_follows_one_growing_story(monkeypatch):
    monkeypatch.setattr(changelog, "CHECKPOINTS", (10, 40))
    out = changelog.run(40)
    assert out["stories"] == 1
    small, large = out["rows"]
    assert (small["members"], large["members"]) == (10, 40)
    assert large["old_story_record_bytes"] > 3 * small["old_story_record_bytes"]   # grew with the story
    assert large["old_write_bytes"] > 3 * small["old_write_bytes"]
    assert large["new_write_bytes"] < 1.5 * small["new_write_bytes"]                # does not
    assert 10 * large["new_write_bytes"] < large["old_write_bytes"]
    assert large["new_cumulative_bytes"] > 30 * small["new_write_bytes"]       # (every update counted)
    assert "| members |" in changelog.table(out)
