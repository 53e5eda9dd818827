"""The board's store: latest version per story, bounded memory, search, sort, pages, resume."""
from __future__ import annotations

import pytest

from services.board.store import MAX_PER_PAGE, BoardStore
from tests.unit.board.states import make_state


def test_latest_version_wins_and_redeliveries_are_ignored():
    store = BoardStore()
    assert store.apply(0, make_state("s1", 1, articles=1)) is not None
    assert store.apply(1, make_state("s1", 2, articles=3)) is not None
    assert store.apply(2, make_state("s1", 1, articles=1)) is None        # an older version re-delivered
    assert store.summaries["s1"].version == 2 and store.summaries["s1"].articles == 3
    assert store.summaries["s1"].offset == 1 and store.offset == 2 and store.ignored == 1


def test_records_that_are_not_story_states_are_ignored_not_fatal():
    store = BoardStore()
    for i, junk in enumerate([None, [], {"story_id": 5, "version": 1}, {"story_id": "x"}, "text"]):
        assert store.apply(i, junk) is None
    assert store.summaries == {} and store.ignored == 5 and store.offset == 4


def test_full_states_are_bounded_and_summaries_are_kept():
    store = BoardStore(full_cache=3)
    for i in range(10):
        store.apply(i, make_state(f"s{i}"))
    assert len(store.summaries) == 10 and list(store.full) == ["s7", "s8", "s9"]
    assert store.cached("s0") is None
    store.remember("s0", make_state("s0"))                   # read back at its offset
    assert store.cached("s0") is not None and "s7" not in store.full
    store.remember("s1", make_state("s1", version=9))        # not the latest version: not kept
    assert store.cached("s1") is None


def test_the_least_recently_updated_stories_go_beyond_max_stories():
    store = BoardStore(max_stories=5)
    for i in range(8):
        store.apply(i, make_state(f"s{i}", minutes=i))
    assert sorted(store.summaries) == ["s3", "s4", "s5", "s6", "s7"]


def test_sort_newest_and_biggest_and_pages():
    store = BoardStore()
    for i in range(45):
        store.apply(i, make_state(f"s{i:02d}", articles=1 + (i * 7) % 10, minutes=i))
    newest = store.page(sort="newest", page=1, per_page=20)
    assert newest["total"] == 45 and [s["story_id"] for s in newest["stories"][:2]] == ["s44", "s43"]
    last = store.page(sort="newest", page=3, per_page=20)
    assert [s["story_id"] for s in last["stories"]] == [f"s{i:02d}" for i in range(4, -1, -1)]
    biggest = store.page(sort="biggest", per_page=100)["stories"]
    sizes = [s["articles"] for s in biggest]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 10
    assert store.page(per_page=10_000)["per_page"] == MAX_PER_PAGE
    with pytest.raises(ValueError):
        store.page(sort="random")


def test_search_by_entity_alias_or_speaker():
    store = BoardStore()
    store.apply(0, make_state("port", speaker="Mara Quell", entity="Harbour Authority", alias="the Authority"))
    store.apply(1, make_state("dam", speaker="Ivo Brandt", entity="River Council", alias="the Council"))
    ids = lambda q: [s["story_id"] for s in store.page(query=q)["stories"]]   # noqa: E731
    assert ids("harbour") == ["port"] and ids("QUELL") == ["port"] and ids("the council") == ["dam"]
    assert ids("brandt") == ["dam"] and ids("nobody") == []


def test_merged_and_empty_stories_leave_the_list_but_keep_their_changes():
    store = BoardStore()
    store.apply(0, make_state("a"))
    store.apply(1, make_state("b", articles=3, delta={"articles_moved_in": ["a-a0", "a-a1"]}))
    update = store.apply(2, make_state("a", 2, articles=0, merged_into="b",
                                       delta={"articles_removed": ["a-a0", "a-a1"]}))
    assert [s["story_id"] for s in store.page()["stories"]] == ["b"]
    assert [c["kind"] for c in update.changes] == ["removed", "merged_into"]
    assert store.story_changes("b")[0] == {"kind": "moved_in", "articles": ["a-a0", "a-a1"], "version": 1,
                                           "at": store.summaries["b"].updated_at}


def test_updates_since_an_offset_resume_or_ask_for_a_reset():
    store = BoardStore(history=3)
    for i in range(5):
        store.apply(i * 2, make_state(f"s{i}"))      # offsets 0, 2, 4, 6, 8
    assert [u.offset for u in store.since(4)] == [6, 8]
    assert [u.offset for u in store.since(3)] == [4, 6, 8]
    assert store.since(8) == [] and store.since(100) == []
    assert store.since(1) is None                     # offset 2 is no longer kept: reload
