"""Reading the story-state topic: latest state per story and membership."""
import json

from services.common.story_state import is_newer, latest_states, members_of, membership


def _state(sid, version, ids, **extra):
    return {"story_id": sid, "version": version, "article_ids": ids,
            "articles": [{"article_id": a} for a in ids[:1]], **extra}


def test_latest_state_is_the_highest_version_and_the_last_on_a_repeat():
    values = [json.dumps(_state("s1", 1, ["a"])).encode(), json.dumps(_state("s1", 3, ["a", "b"])),
              _state("s1", 2, ["a"]),                        # late duplicate of an older update
              _state("s2", 1, ["c"]), _state("s2", 1, ["c", "d"])]   # re-delivered: the last wins
    latest = latest_states(values)
    assert latest["s1"]["version"] == 3 and latest["s1"]["article_ids"] == ["a", "b"]
    assert latest["s2"]["article_ids"] == ["c", "d"]
    assert is_newer(_state("s1", 2, []), None) and not is_newer(_state("s1", 2, []), _state("s1", 3, []))


def test_membership_reads_the_uncapped_ids_and_shows_an_article_listed_twice():
    latest = {"s1": _state("s1", 4, ["a", "b", "c"]),                         # 'articles' capped at 1
              "s2": _state("s2", 2, [], merged_into="s1"),                     # merged away: empty
              "s3": _state("s3", 1, ["c"])}
    assert members_of(latest["s1"]) == ["a", "b", "c"] and members_of(latest["s2"]) == []
    assert members_of({"articles": [{"article_id": "x"}]}) == ["x"]             # a state without ids
    assert membership(latest) == {"a": ["s1"], "b": ["s1"], "c": ["s1", "s3"]}
