from __future__ import annotations

import io
import json
import logging

import structlog

from services.common import logging as slog


def test_structlog_and_stdlib_render_one_json_object_per_line():
    buf = io.StringIO()
    slog.configure("info", service="unit", stream=buf)
    structlog.get_logger("x").info("article.done", article_id="a1", story_id="s1")
    logging.getLogger("faust.fake").warning("from the standard library")
    lines = buf.getvalue().strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "article.done" and first["article_id"] == "a1" and first["story_id"] == "s1"
    assert first["service"] == "unit" and first["level"] == "info" and "timestamp" in first
    assert second["event"] == "from the standard library" and second["logger"] == "faust.fake"
