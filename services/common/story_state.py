"""Reading the story-state topic as a downstream consumer does: the latest state of each story,
and which story lists which article.

The topic is compacted and keyed by story id; every update carries the whole state with a
``version`` that grows by one per update of that story.  A re-delivered update repeats a
version, so the latest state is the one with the highest version seen (the last one on ties).
Membership is read from ``article_ids`` (whole up to 5,000 members; ``articles`` is capped at
50), so a story that was split, merged away (empty, with ``merged_into``) or revised lists exactly
its articles; a larger story's state lists its oldest and newest members and ``totals.articles``
says how many there are (docs/consumers.md).

Shared by the demo, ``storystream eval stories`` and the tests.
"""
from __future__ import annotations

import json
from typing import Iterable, Mapping, Optional, Union

StateValue = Union[bytes, str, Mapping]


def is_newer(state: Mapping, prev: Optional[Mapping]) -> bool:
    """Whether ``state`` supersedes ``prev`` (an earlier state of the same story, or None)."""
    return prev is None or state["version"] >= prev["version"]


def latest_states(values: Iterable[StateValue]) -> dict[str, dict]:
    """story id -> its latest state, from story-state values (JSON bytes or text, or parsed
    dicts) in the order they were read."""
    latest: dict[str, dict] = {}
    for value in values:
        state = dict(value) if isinstance(value, Mapping) else json.loads(value)
        if is_newer(state, latest.get(state["story_id"])):
            latest[state["story_id"]] = state
    return latest


def members_of(state: Mapping) -> list[str]:
    """Every member article id of a story state (``article_ids``; ``articles`` when a state
    carries no ``article_ids``)."""
    ids = state.get("article_ids")
    return list(ids) if ids is not None else [a["article_id"] for a in state.get("articles", [])]


def membership(latest: Mapping[str, Mapping]) -> dict[str, list[str]]:
    """article id -> the ids of the stories whose latest state lists it (one, unless the
    pipeline broke its guarantee)."""
    where: dict[str, list[str]] = {}
    for sid, state in latest.items():
        for aid in members_of(state):
            where.setdefault(aid, []).append(sid)
    return where
