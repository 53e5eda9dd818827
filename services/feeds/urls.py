"""Canonical article URLs: the article id of everything the feeds worker publishes.

courlan (trafilatura's URL library) lower-cases the scheme and host, drops default ports, sorts
the query and strips tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``ref`` ...);
the fragment is dropped too (it names a place in the page, not another article).  The same
article reached through a feed link with campaign parameters and through its page's canonical
link thus gets one id.
"""
from __future__ import annotations

import hashlib
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url

MAX_ID = 512


def canonical_url(url: str, base: str | None = None) -> str:
    """``url`` (relative to ``base``) made absolute and canonical; ``ValueError`` if it is not an
    http(s) URL."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    normal = normalize_url(absolute)
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def article_id_for(url: str) -> str:
    """The article id of a canonical URL: the URL itself, or a digest of it past 512 characters."""
    if len(url) <= MAX_ID:
        return url
    return "url-sha256:" + hashlib.sha256(url.encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    """``host[:port]`` in lower case: the unit of politeness and of ownership."""
    return urlsplit(url).netloc.lower()


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same host (a page's canonical link is trusted only then)."""
    ha, hb = host_of(a).removeprefix("www."), host_of(b).removeprefix("www.")
    return ha == hb
