"""``feeds.yaml``: the feeds to poll.

    feeds:
      - url: https://news.example.org/rss.xml     # RSS, Atom, JSON Feed or a (news) sitemap
        outlet: Example News
        interval: 600        # optional: seconds between polls to start from (adaptive after)
        language: en         # optional: the articles' language tag

A file that does not parse or a feed without a valid url or outlet is refused as a whole with
one line per problem (``FeedsConfigError``): a worker must not start on half a configuration.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.feeds.urls import canonical_url


class FeedsConfigError(ValueError):
    """The feeds configuration cannot be used (the message says where and why)."""


class FeedSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1)
    outlet: str = Field(min_length=1)
    interval: Optional[float] = Field(default=None, gt=0)
    language: Optional[str] = Field(default=None, min_length=2, max_length=35)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        canonical_url(value)      # raises ValueError for anything but an absolute http(s) URL
        return value.strip()


class FeedsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feeds: list[FeedSpec]


def load_feeds(path: Path) -> list[FeedSpec]:
    try:
        doc = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise FeedsConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise FeedsConfigError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None
    try:
        feeds = FeedsConfig.model_validate(doc if doc is not None else {"feeds": []}).feeds
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
        raise FeedsConfigError(f"{path}: " + "; ".join(lines)) from None
    urls = [f.url for f in feeds]
    dupes = sorted({u for u in urls if urls.count(u) > 1})
    if dupes:
        raise FeedsConfigError(f"{path}: feeds listed twice: {', '.join(dupes)}")
    return feeds
