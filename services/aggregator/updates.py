"""What the engine hands back per article: the states to publish and the records to persist
(``Update``), and the states themselves, with their deltas (``Announcer``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from schemas.models import StoryDelta, StoryState

from services.aggregator.caps import DEFAULT_CAPS, StateCaps
from services.aggregator.records import StoryRecord
from services.aggregator.state import entity_names, render


@dataclass
class Update:
    story_id: str
    state: StoryState
    # records in their JSON form, to persist: story heads (``StoryRecord.to_json``) and article
    # records with their order (``writes.Writes``)
    story_record: dict
    article_record: dict
    moved_from: Optional[str] = None
    extra_states: list[StoryState] = field(default_factory=list)
    # story records to persist with ``extra_states`` (the story a revised article left, the
    # other side of a split)
    extra_records: list[dict] = field(default_factory=list)
    # a split: the new story's id, and the article records of both sides (other than this
    # article's: a split renumbers both); also, once, the members of a legacy story written open
    split_into: Optional[str] = None
    extra_articles: list[dict] = field(default_factory=list)
    # a merge: the story merged into this one (its state, emptied, is in ``extra_states``; the
    # article records it moved, other than this article's, in ``extra_articles``)
    merged_from: Optional[str] = None
    # members moved to the stories they fit better: story id -> moved article ids (those
    # stories' states and records are in ``extra_states``/``extra_records``, the moved article
    # records in ``extra_articles``)
    rehomed: dict[str, list[str]] = field(default_factory=dict)


Known = tuple[set, set]   # a story's quote ids and entity names before a change


class Announcer:
    """Renders story states; remembers each open story's entity names at its last state, so the
    next delta can name the entities that are new (``entities_added``)."""

    def __init__(self, max_items: int, caps: StateCaps = DEFAULT_CAPS) -> None:
        self.max_items = max_items
        self.caps = caps
        self.names: dict[str, set] = {}         # story id -> merged entity names at its last render

    def snapshot(self, story: StoryRecord) -> Known:
        """Quote ids and entity names before a change (names cached from the last render)."""
        names = self.names.get(story.story_id)
        if names is None:
            names = entity_names(story)
        return {g["quote_id"] for g in story.quotes}, set(names)

    def announce(self, story: StoryRecord, delta: dict, known_names: set) -> StoryState:
        """The story's state with ``delta`` and the entities not in ``known_names``."""
        names: set = set()
        state = render(story, self.max_items, None, names_out=names, caps=self.caps)
        self.names[story.story_id] = names
        state.delta = StoryDelta(**delta, entities_added=sorted(names - known_names))
        return state

    def restate(self, story: StoryRecord, delta: dict, remember: bool = True) -> StoryState:
        """The story's state with exactly ``delta``; its entity names are remembered when asked."""
        if not remember:
            return render(story, self.max_items, delta, caps=self.caps)
        names: set = set()
        state = render(story, self.max_items, delta, names_out=names, caps=self.caps)
        self.names[story.story_id] = names
        return state

    def forget(self, sid: str) -> None:
        self.names.pop(sid, None)


def quotes_added(story: StoryRecord, known_quotes: set) -> list[str]:
    """The ids of the story's quote groups not in ``known_quotes``."""
    return [g["quote_id"] for g in story.quotes if g["quote_id"] not in known_quotes]
