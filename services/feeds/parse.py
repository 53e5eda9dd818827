"""Feed documents into entries: RSS and Atom (feedparser), JSON Feed 1.0/1.1 (it is JSON: a small
mapping), news sitemaps and sitemap indexes (defusedxml: entity expansion forbidden).

XML entities: feedparser keeps a DOCTYPE's "safe" entity declarations (plain text) and its
lenient parser expands them itself, so one large entity referenced many times (the quadratic
variant of "billion laughs") costs memory and time in proportion to the expansion.  A feed whose
prolog declares any entity is therefore refused before any parser sees it (no news feed needs
one).  Malformed XML is otherwise read leniently by feedparser, and the problem is reported
with the entries that could be read.
"""
from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from xml.etree.ElementTree import ParseError

from services.feeds.urls import canonical_url
from services.producer.dates import to_utc

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


class FeedError(ValueError):
    """A document that is not a usable feed (the reason is one line)."""


@dataclass
class FeedEntry:
    link: str                       # canonical URL of the item's page
    guid: str | None = None
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None

    @property
    def fingerprint(self) -> str:
        """Changes when the feed says the item changed (new title, new update date)."""
        parts = [self.link, self.guid or "", self.title or "",
                 self.updated.isoformat() if self.updated else "",
                 self.published.isoformat() if self.published else ""]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]

    @property
    def when(self) -> datetime | None:
        return self.published or self.updated


@dataclass
class ParsedFeed:
    kind: str                       # rss | atom | jsonfeed | sitemap | sitemapindex
    entries: list[FeedEntry]
    title: str | None = None
    ttl_s: float | None = None      # RSS <ttl> (minutes in the feed)
    problems: list[str] = field(default_factory=list)
    sitemaps: list[tuple[str, datetime | None]] = field(default_factory=list)   # of an index


def _date(value: Any, parsed: Any = None) -> datetime | None:
    if isinstance(value, str) and value.strip():
        try:
            return to_utc(value)
        except ValueError:
            pass
    if parsed:
        try:
            return datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc)
        except (TypeError, ValueError, OverflowError):
            return None
    return None


def parse_feed(body: bytes, content_type: str, base_url: str) -> ParsedFeed:
    """The entries of a feed document (in document order, duplicates dropped)."""
    head = body.lstrip()[:1]
    ctype = content_type.split(";")[0].strip().lower()
    if head in (b"{", b"[") or ctype in ("application/feed+json", "application/json"):
        parsed = _json_feed(body, base_url)
    else:
        prolog = body[:m.start()] if (m := _FIRST_ELEMENT.search(body)) else body[:4096]
        if _ENTITY_DECL.search(prolog):
            raise FeedError("the document declares XML entities (DOCTYPE with ENTITY): refused, "
                            "entity expansion is disabled")
        root = _root_name(body)
        parsed = _sitemap(body, base_url, root) if root in ("urlset", "sitemapindex") else _rss_atom(body, ctype, base_url)
    parsed.entries = _dedupe(parsed.entries, parsed.problems)
    return parsed


def _root_name(body: bytes) -> str:
    m = _FIRST_ELEMENT.search(body)
    if not m:
        return ""
    name = re.match(rb"<([A-Za-z_][\w.:-]*)", body[m.start():])
    return name.group(1).decode("ascii", "replace").split(":")[-1].lower() if name else ""


def _dedupe(entries: list[FeedEntry], problems: list[str]) -> list[FeedEntry]:
    out, links, guids = [], set(), set()
    for e in entries:
        if e.link in links or (e.guid and e.guid in guids):
            continue
        links.add(e.link)
        if e.guid:
            guids.add(e.guid)
        out.append(e)
    if len(out) < len(entries):
        problems.append(f"{len(entries) - len(out)} duplicate entries (same link or id) dropped")
    return out


def _link(value: Any, base_url: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append("an entry without a link was skipped")
        return None
    try:
        return canonical_url(value, base_url)
    except ValueError as exc:
        problems.append(f"an entry was skipped: {exc}")
        return None


# --------------------------------------------------------------------------- RSS / Atom
def _rss_atom(body: bytes, ctype: str, base_url: str) -> ParsedFeed:
    d = feedparser.parse(body, response_headers={"content-type": ctype or "application/xml",
                                                 "content-location": base_url},
                         sanitize_html=False, resolve_relative_uris=False)
    problems = []
    if d.get("bozo"):
        exc = d.get("bozo_exception")
        problems.append(f"not well-formed, read leniently: {type(exc).__name__}: {exc}"[:300])
    version = d.get("version") or ""
    if not version and not d.entries:
        raise FeedError("not a feed: no RSS, Atom, JSON Feed or sitemap found"
                        + (f" ({problems[0]})" if problems else ""))
    entries = []
    for e in d.entries:
        link = _link(e.get("link"), base_url, problems)
        if link is None:
            continue
        authors = [a.get("name", "").strip() for a in e.get("authors", []) if a.get("name", "").strip()]
        if not authors and e.get("author"):
            authors = [e["author"].strip()]
        entries.append(FeedEntry(link=link, guid=e.get("id"), title=(e.get("title") or "").strip() or None,
                                 published=_date(e.get("published"), e.get("published_parsed")),
                                 updated=_date(dict.get(e, "updated"), dict.get(e, "updated_parsed")), authors=authors,
                                 language=(d.feed.get("language") or None)))
    ttl = d.feed.get("ttl")
    ttl_s = float(ttl) * 60 if isinstance(ttl, str) and ttl.strip().isdigit() else None
    kind = "atom" if version.startswith("atom") else "rss"
    return ParsedFeed(kind, entries, title=d.feed.get("title"), ttl_s=ttl_s, problems=problems)


# --------------------------------------------------------------------------- JSON Feed
def _json_feed(body: bytes, base_url: str) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"invalid JSON Feed: {exc}"[:300]) from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError("not a JSON Feed: no https://jsonfeed.org/version/ in 'version'")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("invalid JSON Feed: 'items' is not a list")
    problems: list[str] = []
    entries = []
    for item in items:
        if not isinstance(item, dict):
            problems.append("an item that is not an object was skipped")
            continue
        link = _link(item.get("url") or item.get("external_url"), base_url, problems)
        if link is None:
            continue
        people = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        authors = [str(a["name"]).strip() for a in people if isinstance(a, dict) and a.get("name")]
        entries.append(FeedEntry(link=link, guid=str(item["id"]) if item.get("id") is not None else None,
                                 title=str(item.get("title") or "").strip() or None,
                                 published=_date(item.get("date_published")),
                                 updated=_date(item.get("date_modified")), authors=authors,
                                 language=item.get("language") or doc.get("language")))
    return ParsedFeed("jsonfeed", entries, title=doc.get("title"), problems=problems)


# --------------------------------------------------------------------------- sitemaps
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _sitemap(body: bytes, base_url: str, root_name: str) -> ParsedFeed:
    try:
        root = safe_fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise FeedError(f"invalid sitemap XML: {type(exc).__name__}: {exc}"[:300]) from None
    problems: list[str] = []
    if root_name == "sitemapindex":
        maps = []
        for sm in root:
            fields = {_local(c.tag): (c.text or "").strip() for c in sm}
            if fields.get("loc"):
                maps.append((fields["loc"], _date(fields.get("lastmod"))))
        return ParsedFeed("sitemapindex", [], problems=problems, sitemaps=maps)
    entries = []
    for url in root:
        if _local(url.tag) != "url":
            continue
        fields = {_local(c.tag): c for c in url}
        loc = (fields["loc"].text or "") if "loc" in fields else ""
        link = _link(loc.strip(), base_url, problems)
        if link is None:
            continue
        news = fields.get("news")
        title = published = language = None
        if news is not None:
            for node in news.iter():
                name = _local(node.tag)
                if name == "title":
                    title = (node.text or "").strip() or None
                elif name == "publication_date":
                    published = _date(node.text)
                elif name == "language":
                    language = (node.text or "").strip() or None
        lastmod = _date(fields["lastmod"].text) if "lastmod" in fields else None
        entries.append(FeedEntry(link=link, title=title, published=published, updated=lastmod, language=language))
    return ParsedFeed("sitemap", entries, problems=problems)
