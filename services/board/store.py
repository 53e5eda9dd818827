"""The board's view of ``story-state``, kept like any downstream consumer keeps it: the latest
version of each story (``services.common.story_state.is_newer``), in bounded memory.

Every story has a small summary (headline, size, outlets, last update, the names to search) and
the topic offset of its latest state; the full state of only the most recently used stories is
kept (``full_cache``), any other one is read back from the topic at its offset when a page asks
for it.  The membership changes each update announces (articles moved in or out, a merge) are
kept per story, the last ``changes_per_story``; the last ``history`` updates are kept in order
of offset so that a browser reconnecting with the offset it last saw gets what it missed.
"""
from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Iterable, Optional

from services.common.story_state import is_newer

SORTS = ("newest", "biggest")
MAX_PER_PAGE = 100


@dataclass
class Summary:
    story_id: str
    version: int
    offset: int
    headline: str
    status: str
    merged_into: Optional[str]
    articles: int
    outlets: list[str]
    updated_at: str
    created_at: str
    quotes: int
    speakers: list[str]
    entities: list[str]
    terms: str = field(repr=False, default="")   # lower-cased entity names, aliases and speakers

    def public(self) -> dict:
        return {"story_id": self.story_id, "version": self.version, "offset": self.offset,
                "headline": self.headline, "status": self.status, "merged_into": self.merged_into,
                "articles": self.articles, "outlets": self.outlets, "updated_at": self.updated_at,
                "created_at": self.created_at, "quotes": self.quotes, "speakers": self.speakers[:5],
                "entities": self.entities[:8]}


def summarise(state: dict, offset: int) -> Summary:
    entities = state.get("entities") or []
    speakers = [s["name"] for s in state.get("speakers") or []]
    names = [e["name"] for e in entities] + [a for e in entities for a in e.get("aliases") or []] + speakers
    totals = state.get("totals") or {}
    return Summary(
        story_id=state["story_id"], version=int(state["version"]), offset=offset,
        headline=state.get("headline") or "", status=state.get("status") or "open",
        merged_into=state.get("merged_into"),
        articles=int(totals.get("articles", len(state.get("article_ids") or state.get("articles") or []))),
        outlets=list(state.get("outlets") or []), updated_at=str(state.get("updated_at") or ""),
        created_at=str(state.get("created_at") or ""), quotes=int(totals.get("quotes", 0)),
        speakers=speakers, entities=[e["name"] for e in entities],
        terms="\n".join(n.lower() for n in names),
    )


def changes_of(state: dict) -> list[dict]:
    """The membership changes an update announces (its ``delta`` and ``merged_into``)."""
    delta = state.get("delta") or {}
    out = []
    if delta.get("articles_moved_in"):
        out.append({"kind": "moved_in", "articles": list(delta["articles_moved_in"])})
    if delta.get("articles_removed"):
        out.append({"kind": "removed", "articles": list(delta["articles_removed"])})
    if state.get("merged_into"):
        out.append({"kind": "merged_into", "story_id": state["merged_into"]})
    for change in out:
        change.update(version=state["version"], at=str(state.get("updated_at") or ""))
    return out


@dataclass
class Update:
    """One accepted story update, as the server sends it by server-sent events."""
    offset: int
    summary: dict
    changes: list[dict]


class BoardStore:
    def __init__(self, *, full_cache: int = 256, history: int = 2000, changes_per_story: int = 20,
                 max_stories: int = 100_000) -> None:
        self.summaries: dict[str, Summary] = {}
        self.full: OrderedDict[str, dict] = OrderedDict()
        self.full_cache = full_cache
        self.changes: dict[str, deque] = {}
        self.changes_per_story = changes_per_story
        self.history: deque[Update] = deque(maxlen=history)
        self.max_stories = max_stories
        self.offset = -1          # the last offset applied
        self.history_floor = -1   # the newest update no longer in ``history``
        self.ignored = 0          # re-delivered or older versions, and records that are not states

    # ------------------------------------------------------------------ updates
    def apply(self, offset: int, state: object) -> Optional[Update]:
        """Take one story-state record (offset, parsed value); the update, or None when it is not
        newer than what the board has (a re-delivery) or not a story state."""
        self.offset = max(self.offset, offset)
        if not isinstance(state, dict) or not isinstance(state.get("story_id"), str) \
                or not isinstance(state.get("version"), int):
            self.ignored += 1
            return None
        sid = state["story_id"]
        prev = self.summaries.get(sid)
        if prev is not None and not is_newer(state, {"version": prev.version}):
            self.ignored += 1
            return None
        summary = summarise(state, offset)
        self.summaries[sid] = summary
        self._remember(sid, state)
        changes = changes_of(state)
        if changes:
            self.changes.setdefault(sid, deque(maxlen=self.changes_per_story)).extend(changes)
        update = Update(offset, summary.public(), changes)
        if len(self.history) == self.history.maxlen:
            self.history_floor = self.history[0].offset
        self.history.append(update)
        if len(self.summaries) > self.max_stories:
            self._evict()
        return update

    def _remember(self, sid: str, state: dict) -> None:
        self.full[sid] = state
        self.full.move_to_end(sid)
        while len(self.full) > self.full_cache:
            self.full.popitem(last=False)

    def _evict(self) -> None:
        """Forget the least recently updated stories beyond ``max_stories``."""
        extra = len(self.summaries) - self.max_stories
        for s in sorted(self.summaries.values(), key=lambda s: (s.updated_at, s.offset))[:extra]:
            self.summaries.pop(s.story_id, None)
            self.full.pop(s.story_id, None)
            self.changes.pop(s.story_id, None)

    # ------------------------------------------------------------------ reading
    def cached(self, sid: str) -> Optional[dict]:
        state = self.full.get(sid)
        if state is not None:
            self.full.move_to_end(sid)
        return state

    def remember(self, sid: str, state: dict) -> None:
        """A full state read back from the topic (only if it is still the latest)."""
        summary = self.summaries.get(sid)
        if summary is not None and state.get("version") == summary.version:
            self._remember(sid, state)

    def page(self, *, sort: str = "newest", query: str = "", page: int = 1, per_page: int = 20,
             include_merged: bool = False) -> dict:
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        page, per_page = max(1, page), min(MAX_PER_PAGE, max(1, per_page))
        rows: Iterable[Summary] = self.summaries.values()
        if not include_merged:
            rows = (s for s in rows if not s.merged_into and s.articles > 0)
        q = " ".join(query.lower().split())
        if q:
            rows = (s for s in rows if q in s.terms)
        if sort == "newest":
            key = lambda s: (s.updated_at, s.offset)   # noqa: E731
        else:
            key = lambda s: (s.articles, s.updated_at, s.offset)   # noqa: E731
        ordered = sorted(rows, key=key, reverse=True)
        start = (page - 1) * per_page
        return {"sort": sort, "query": q, "page": page, "per_page": per_page, "total": len(ordered),
                "offset": self.offset, "stories": [s.public() for s in ordered[start:start + per_page]]}

    def since(self, offset: int) -> Optional[list[Update]]:
        """The updates after ``offset``, or None when some of them are no longer kept (the
        browser must reload its snapshot)."""
        if offset < self.history_floor:
            return None
        return [u for u in self.history if u.offset > offset]

    def story_changes(self, sid: str) -> list[dict]:
        return list(self.changes.get(sid, ()))
