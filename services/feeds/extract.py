"""The article in a fetched page: trafilatura (main text, title, date, authors, canonical link, site
name) with its default extraction settings, comments left out.

Decoding: the charset the server declares is used when the bytes decode with it; a missing or
wrong one (bytes that do not decode) leaves the bytes to trafilatura, which reads the page's own
``<meta charset>`` and otherwise detects the encoding (charset_normalizer).

The body is trafilatura's text (one paragraph a line) without a first line that repeats the
title when more text follows: the title travels in its own field, and downstream stages read
title and body together.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import datetime

import trafilatura

from services.feeds.urls import canonical_url, same_site
from services.producer.dates import to_utc

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SPACES = re.compile(r"\s+")
_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True}


class ExtractError(ValueError):
    """A page without an article to publish (the reason is one line)."""


@dataclass
class PageArticle:
    title: str | None
    body: str
    url: str                         # canonical URL (the page's canonical link when on its own site)
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None


def charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            name = value.strip().strip("\"'")
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


def decode_page(body: bytes, content_type: str) -> str | bytes:
    """The page as text when its declared charset fits the bytes, else the bytes (trafilatura
    then reads ``<meta charset>`` or detects the encoding)."""
    charset = charset_of(content_type)
    if charset:
        try:
            return body.decode(charset)
        except UnicodeDecodeError:
            return body
    return body


def is_html(content_type: str) -> bool:
    ctype = content_type.split(";")[0].strip().lower()
    return not ctype or ctype in HTML_TYPES


def _same(a: str, b: str) -> bool:
    return _SPACES.sub(" ", a).strip().casefold() == _SPACES.sub(" ", b).strip().casefold()


def extract_page(body: bytes, content_type: str, url: str) -> PageArticle:
    """The article of one page; :class:`ExtractError` when there is no article text."""
    page = decode_page(body, content_type)
    doc = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                      date_extraction_params=_DATE_PARAMS)
    text = (doc.text or "").strip() if doc is not None else ""
    if not text:
        raise ExtractError("no article text found in the page")
    title = (doc.title or "").strip() or None
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if title and len(lines) > 1 and _same(lines[0], title):
        lines = lines[1:]
    canonical = url
    if doc.url and doc.url != url and same_site(doc.url, url):
        try:
            canonical = canonical_url(doc.url, url)
        except ValueError:
            canonical = url
    published = None
    if doc.date:
        try:
            published = to_utc(doc.date)
        except ValueError:
            published = None
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return PageArticle(title=title, body="\n".join(lines), url=canonical, published=published,
                       authors=authors, outlet=(doc.sitename or "").strip() or None)
