"""Message (de)serialisation between pydantic models and Kafka bytes, and the
dead-letter path for anything that does not parse."""
from __future__ import annotations

import json
import traceback
from datetime import datetime, timezone
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from schemas.models import ArticleKey, DeadLetter, StoryKey

M = TypeVar("M", bound=BaseModel)


class BadMessage(ValueError):
    """A message that can never be processed; it goes to dead-letters."""


def encode(model: BaseModel) -> bytes:
    return model.model_dump_json(exclude_none=False).encode("utf-8")


def article_key(article_id: str) -> bytes:
    return encode(ArticleKey(article_id=article_id))


def story_key(story_id: str) -> bytes:
    return encode(StoryKey(story_id=story_id))


def decode(model: type[M], value: bytes | None) -> M:
    """Parse bytes into ``model`` or raise BadMessage with a one-line reason."""
    if value is None:
        raise BadMessage("empty message (no value)")
    if not isinstance(value, (bytes, bytearray)):
        raise BadMessage(f"value is {type(value).__name__}, expected bytes")
    try:
        text = bytes(value).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadMessage(f"value is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadMessage(f"invalid JSON: {exc.msg} (line {exc.lineno} col {exc.colno})") from None
    except RecursionError:
        raise BadMessage("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. numbers too long to convert
        raise BadMessage(f"invalid JSON: {exc}") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise BadMessage(validation_reason(exc)) from None
    except (RecursionError, ValueError) as exc:
        raise BadMessage(f"invalid message: {type(exc).__name__}: {exc}") from None


def validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "value"
        parts.append(f"{loc}: {err.get('msg')}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def dead_letter(*, reason: str, error_type: str, service: str, topic: str | None, partition: int | None,
                offset: int | None, key: bytes | None, value: bytes | None) -> DeadLetter:
    return DeadLetter(
        reason=reason[:2000], error_type=error_type, service=service, source_topic=topic,
        partition=partition, offset=offset,
        original_key=bytes(key) if key is not None else None,
        original_value=bytes(value) if value is not None else None,
        failed_at=datetime.now(timezone.utc),
    )


def crash_reason(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {tb[0].filename.rsplit('/', 1)[-1]}:{tb[0].lineno}" if tb else ""
    return f"processing failed: {type(exc).__name__}: {exc}{where}"
