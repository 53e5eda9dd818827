"""The aggregator's persistent records: a story, its member entries, and an article.

They live in the faust tables ``stories`` and ``story-articles`` as JSON (``to_json``) and come
back through ``from_json`` (``StoryEngine.restore`` and the engine's loaders).  The JSON form
carries ``record_version``; a record without one is of the first layout (short keys: ``sig``,
``meta``, ``keys``/``tw``, the signatures' ``ents``/``d0``/``pub``) and is converted on load; a
record of an unknown (newer) version is refused with a clear error rather than misread.

Version 3 (issue 19, "changelog writes proportional to the change"): a story is persisted as a
**head** of bounded size (status, times, version, sequence, central article, member count and
digest; a closed story also its light signature and its members' order, written when it is
written closed), never its members or aggregates.  Each member's ``order`` is persisted in its
article record (``ArticleRecord.to_json(order)``), which already holds the article's whole
contribution; the engine rebuilds a story's members and aggregates from its members' article
records (``members.assemble``).  An update so writes the changed article record(s) and a head,
whatever the story's size.  A story record of version 1 or 2 (the whole story) is still read
(``legacy``: its members' article records carry no order yet; the engine rewrites them with the
story's next open head).  ``full_json`` writes the version-2 layout (tests of a version-2
changelog, and ``bench.changelog``'s comparison).

A story's entity aggregate (``entities.add_entities``) and quote groups (``quotes.add_variant``)
stay JSON-shaped dicts: those modules own them (and the quote cache keys on their lists).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Mapping, Optional

from services.aggregator.signature import ArticleSignature, StorySignature

RECORD_VERSION = 3
READABLE = (1, 2, RECORD_VERSION)


class RecordVersionError(ValueError):
    """A persisted record of a layout this code does not know."""


def _version(d: Mapping, what: str) -> int:
    v = d.get("record_version", 1)
    if v not in READABLE:
        name = d.get("article_id" if what == "article" else "story_id", "?")
        raise RecordVersionError(f"{what} record {name!r} has record_version {v!r}; this aggregator reads "
                                 f"versions {', '.join(map(str, READABLE))} (a newer aggregator wrote it?)")
    return v


def is_head(d: Mapping) -> bool:
    """Whether a story record (JSON) is a version-3 head (its members are in the article records)."""
    return _version(d, "story") >= 3


def member_count(d: Optional[Mapping]) -> int:
    """How many articles a story record (JSON, any version) has."""
    if not d:
        return 0
    return d.get("members", 0) if is_head(d) else len(d.get("articles") or ())


def member_digest(ids) -> str:
    """A short digest of a set of article ids (a head's check that its article records agree)."""
    return hashlib.sha1("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def persisted_order(d: Mapping) -> Optional[int]:
    """The ``order`` an article record (JSON) was written with (None: a record of version 1 or 2)."""
    return d.get("order") if _version(d, "article") >= 3 else None


def _detached(obj):
    """A JSON-clean deep copy (what is persisted must not change with the engine's state)."""
    return json.loads(json.dumps(obj))


@dataclass(slots=True)
class Member:
    """A story's entry for one of its articles: what its state lists, and what the best-member
    term and the central article are computed on."""
    title: str
    outlet: Optional[str]
    url: Optional[str]
    published: Optional[str]           # ISO time, as the article says
    first_seen: str                    # ISO time the aggregator first saw it (kept over revisions)
    lead: str
    order: int                         # the story's sequence number when it joined
    event_time: str                    # ISO: published, else produced, else seen
    entity_keys: list[str]             # its salient entities' keys (sorted)
    title_words: list[str]             # its headline words

    def to_json(self) -> dict:
        return {"title": self.title, "outlet": self.outlet, "url": self.url, "published": self.published,
                "first_seen": self.first_seen, "lead": self.lead, "order": self.order,
                "event_time": self.event_time, "entity_keys": list(self.entity_keys),
                "title_words": list(self.title_words)}

    @classmethod
    def from_json(cls, d: Mapping, version: int) -> Member:
        if version == 1:
            return cls(d["title"], d.get("outlet"), d.get("url"), d.get("published"), d["first_seen"],
                       d.get("lead", ""), d.get("order", 0), d["event_time"], list(d.get("keys", [])),
                       list(d.get("tw", [])))
        return cls(d["title"], d["outlet"], d["url"], d["published"], d["first_seen"], d["lead"], d["order"],
                   d["event_time"], list(d["entity_keys"]), list(d["title_words"]))


@dataclass(slots=True)
class StoryRecord:
    """A story: metadata, members, entity aggregate, quote groups and clustering signature."""
    story_id: str
    status: str                        # "open" or "closed"
    created_at: str                    # ISO times
    updated_at: str
    event_time: str                    # its newest article's event time
    version: int = 0                   # of its published state
    seq: int = 0                       # orders members and quote variants
    articles: dict[str, Member] = field(default_factory=dict)
    entities: dict = field(default_factory=dict)      # entities.add_entities aggregate
    quotes: list[dict] = field(default_factory=list)  # quotes.add_variant groups
    signature: StorySignature = field(default_factory=StorySignature)
    central: Optional[str] = None      # the article closest to the story as a whole
    merged_into: Optional[str] = None  # the story it was merged into (emptied and closed)
    light: Optional[StorySignature] = None   # a closed story's light signature
    # not persisted: its members' article records may lack their order (read from a version 1/2
    # record, or repaired): the next open head written rewrites them (``StoryEngine._record``)
    legacy: bool = field(default=False, compare=False)

    def to_json(self) -> dict:
        """The version-3 head (see the module docstring): bounded, whatever the member count."""
        out = {"record_version": RECORD_VERSION, "story_id": self.story_id, "version": self.version,
               "status": self.status, "created_at": self.created_at, "updated_at": self.updated_at,
               "event_time": self.event_time, "seq": self.seq, "central": self.central,
               "members": len(self.articles), "digest": member_digest(self.articles)}
        if self.merged_into is not None:
            out["merged_into"] = self.merged_into
        if self.light is not None:
            out["light"] = self.light.to_json()
        if self.status == "closed":    # written when it closes (not per article): finds its members
            out["member_order"] = {aid: m.order for aid, m in self.articles.items()}
        return _detached(out)

    def full_json(self) -> dict:
        """The whole story in the version-2 layout (what every update wrote before version 3)."""
        out = {"record_version": 2, "story_id": self.story_id, "version": self.version,
               "status": self.status, "created_at": self.created_at, "updated_at": self.updated_at,
               "event_time": self.event_time, "seq": self.seq,
               "articles": {aid: m.to_json() for aid, m in self.articles.items()},
               "entities": self.entities, "quotes": self.quotes, "signature": self.signature.to_json(),
               "central": self.central}
        if self.merged_into is not None:
            out["merged_into"] = self.merged_into
        if self.light is not None:
            out["light"] = self.light.to_json()
        return _detached(out)

    @classmethod
    def from_json(cls, d: Mapping) -> StoryRecord:
        """A record of version 1 or 2 (the whole story, ``legacy``), or a version-3 head without
        its members and aggregates (``members.assemble`` adds them from the article records)."""
        v = _version(d, "story")
        light = d.get("light")
        if v >= 3:
            return cls(story_id=d["story_id"], status=d["status"], created_at=d["created_at"],
                       updated_at=d["updated_at"], event_time=d["event_time"], version=d["version"], seq=d["seq"],
                       central=d.get("central"), merged_into=d.get("merged_into"),
                       light=StorySignature.from_json(light) if light else None)
        return cls(story_id=d["story_id"], status=d["status"], created_at=d["created_at"],
                   updated_at=d["updated_at"], event_time=d["event_time"], version=d["version"], seq=d["seq"],
                   articles={aid: Member.from_json(m, v) for aid, m in d["articles"].items()},
                   entities=copy.deepcopy(d["entities"]), quotes=copy.deepcopy(d["quotes"]),
                   signature=StorySignature.from_json(d["sig"] if v == 1 else d["signature"]),
                   central=d.get("central"), merged_into=d.get("merged_into"),
                   light=StorySignature.from_json(light) if light else None, legacy=True)

    def copy(self) -> StoryRecord:
        """A copy whose containers the engine may replace (not change) without changing this one."""
        return replace(self)


@dataclass(slots=True)
class ArticleRecord:
    """One article's contribution to its story, kept so that a revision subtracts exactly what
    the old version added (never changed once made; a move makes a copy)."""
    article_id: str
    story_id: str
    content_hash: str
    first_seen: str
    event_time: str
    title: str
    outlet: Optional[str]
    url: Optional[str]
    published: Optional[str]
    lead: str
    entities: list[dict]               # entities.article_entities contribution
    quotes: list[dict]                 # quotes.article_variants
    signature: ArticleSignature

    def moved_to(self, story_id: str) -> ArticleRecord:
        return replace(self, story_id=story_id)

    def to_json(self, order: Optional[int] = None) -> dict:
        """The record; ``order``: the article's ``Member.order`` in its story (the engine always
        gives it; a story's members are rebuilt in that order)."""
        out = self._json()
        if order is not None:
            out["order"] = order
        return out

    def _json(self) -> dict:
        return _detached({"record_version": RECORD_VERSION, "article_id": self.article_id, "story_id": self.story_id,
                          "content_hash": self.content_hash, "first_seen": self.first_seen,
                          "event_time": self.event_time, "title": self.title, "outlet": self.outlet,
                          "url": self.url, "published": self.published, "lead": self.lead,
                          "entities": self.entities, "quotes": self.quotes,
                          "signature": self.signature.to_json()})

    @classmethod
    def from_json(cls, d: Mapping) -> ArticleRecord:
        v = _version(d, "article")
        meta = d["meta"] if v == 1 else d
        return cls(article_id=d["article_id"], story_id=d["story_id"], content_hash=d["content_hash"],
                   first_seen=d["first_seen"], event_time=d["event_time"], title=meta["title"],
                   outlet=meta.get("outlet"), url=meta.get("url"), published=meta.get("published"),
                   lead=d["lead"], entities=copy.deepcopy(d["entities"]), quotes=copy.deepcopy(d["quotes"]),
                   signature=ArticleSignature.from_json(d["sig"] if v == 1 else d["signature"]))
