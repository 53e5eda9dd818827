"""One record (a JSON object or a plain-text article) turned into an :class:`Article`.

Record fields: ``title`` and ``body`` (strings, required), ``id``, ``outlet``,
``url``, ``published`` (an ISO 8601 or RFC 822 date or datetime, see
``services.producer.dates``; naive values are taken as UTC), ``authors`` (a string or a list of
strings) and ``language``, all optional; other fields are ignored. A ``.txt`` article's first
non-empty, non-boilerplate line is its title, the rest (cleaned) its body.

A record that does not make an article becomes a :class:`SourceError` carrying its original
bytes and the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional, Union

from pydantic import ValidationError

from schemas.models import Article
from services.producer.clean import clean_lines, content_hash, content_id, is_boilerplate_line
from services.producer.dates import parse_published

__all__ = ["DEFAULT_MAX_BODY_BYTES", "Item", "RecordError", "SourceError", "decode_text",
           "read_text_article", "record_to_article"]

DEFAULT_MAX_BODY_BYTES = 4_000_000
_MAX_ID_LEN = 512

Item = Union[Article, "SourceError"]


@dataclass
class SourceError:
    """A record that could not be turned into an :class:`Article`."""

    source: str
    reason: str
    raw: bytes = b""

    def line(self) -> str:
        reason = " ".join(self.reason.split())  # always one line
        return f"error: {self.source}: {reason}"

    def __str__(self) -> str:
        return self.line()


class RecordError(ValueError):
    """Raised inside record validation; becomes a SourceError."""


# --------------------------------------------------------------------------- helpers
_TYPE_NAMES = ((bool, "bool"), (int, "int"), (float, "float"), (str, "string"), (list, "array"), (dict, "object"))


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), type(value).__name__)


def _short(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def decode_text(raw: bytes) -> str:
    """Strict UTF-8 (a leading BOM is dropped); raises RecordError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"invalid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _check_body_size(body: str, max_body_bytes: int) -> None:
    size = len(body.encode("utf-8", "surrogatepass"))
    if size > max_body_bytes:
        raise RecordError(f"body is too large: {size} bytes (max {max_body_bytes})")


def _parse_published(value: str) -> datetime:
    try:
        return parse_published(value)
    except ValueError:
        raise RecordError(f"field 'published' is not an ISO 8601 or RFC 822 date: {_short(value)}") from None


def _authors(record: dict) -> list[str]:
    value = record.get("authors")
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise RecordError(f"field 'authors' must be a string or a list of strings, got {_type_name(value)}")
    return [a.strip() for a in value if a.strip()]


def _optional_str(record: dict, name: str) -> Optional[str]:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"field '{name}' must be a string, got {_type_name(value)}")
    value = value.strip()
    return value or None


def _required_str(record: dict, name: str) -> str:
    if name not in record:
        raise RecordError(f"missing field '{name}'")
    value = record[name]
    if not isinstance(value, str):
        raise RecordError(f"field '{name}' must be a string, got {_type_name(value)}")
    return value


def _build(
    *, article_id: Optional[str], title: str, body: str, source: str,
    outlet: Optional[str] = None, url: Optional[str] = None, published: Optional[datetime] = None,
    authors: Optional[list[str]] = None, language: Optional[str] = None,
) -> Article:
    try:
        return Article(
            article_id=article_id or content_id(title, body),
            title=title,
            body=body,
            outlet=outlet,
            url=url,
            published=published,
            authors=authors or [],
            language=language,
            content_hash=content_hash(title, body),
            source=source,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "record"
        raise RecordError(f"invalid article: {where}: {first.get('msg', 'invalid')}") from None


# --------------------------------------------------------------------------- records
def record_to_article(record: Any, source: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Article:
    """Validate one decoded JSON record; raises ``ValueError`` with a one-line reason."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {_type_name(record)}")

    article_id = record.get("id")
    if article_id is not None:
        if not isinstance(article_id, str):
            raise RecordError(f"field 'id' must be a string, got {_type_name(article_id)}")
        article_id = article_id.strip()
        if not article_id:
            raise RecordError("field 'id' is empty")
        if len(article_id) > _MAX_ID_LEN:
            raise RecordError(f"field 'id' is too long: {len(article_id)} characters (max {_MAX_ID_LEN})")

    title = _required_str(record, "title").strip()
    raw_body = _required_str(record, "body")
    outlet = _optional_str(record, "outlet")
    url = _optional_str(record, "url")
    published_raw = record.get("published")
    if published_raw is not None and not isinstance(published_raw, str):
        raise RecordError(f"field 'published' must be a string, got {_type_name(published_raw)}")
    published = _parse_published(published_raw) if published_raw and published_raw.strip() else None
    authors = _authors(record)
    language = _optional_str(record, "language")

    if not title:
        raise RecordError("title is empty")
    _check_body_size(raw_body, max_body_bytes)
    if not raw_body.strip():
        raise RecordError("body is empty")
    body = _strip_leading_blank_lines(clean_lines(raw_body))
    if not body.strip():
        raise RecordError("body is empty after cleaning")
    return _build(article_id=article_id, title=title, body=body, source=source,
                  outlet=outlet, url=url, published=published, authors=authors, language=language)


def _strip_leading_blank_lines(text: str) -> str:
    lines = text.split("\n")
    k = 0
    while k < len(lines) and not lines[k].strip():
        k += 1
    return "\n".join(lines[k:])


# --------------------------------------------------------------------------- formats
def read_text_article(
    raw: bytes, source: str, *, article_id: Optional[str] = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Item:
    """One plain-text article: title line, then body."""
    try:
        text = decode_text(raw)
        lines = text.split("\n")
        for k, line in enumerate(lines):
            if line.strip() and not is_boilerplate_line(line):
                break
        else:
            raise RecordError("no title: the text is empty" if not text.strip() else "no title: only boilerplate lines")
        title = lines[k].strip()
        rest = "\n".join(lines[k + 1:])
        _check_body_size(rest, max_body_bytes)
        if not rest.strip():
            raise RecordError("body is empty (the text has only a title line)")
        body = _strip_leading_blank_lines(clean_lines(rest))
        if not body.strip():
            raise RecordError("body is empty after cleaning")
        return _build(article_id=article_id, title=title, body=body, source=source)
    except RecordError as exc:
        return SourceError(source, str(exc), raw)
