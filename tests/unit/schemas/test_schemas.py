"""The exported JSON Schemas are the contract: they must match the models."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import jsonschema
import pytest
from pydantic import ValidationError

from schemas import TOPICS, Article, DeadLetter, EntityMention, EntitySpan, Span
from schemas.export import OUT, drift, rendered


def test_exported_files_match_models():
    assert drift() == [], "run `python -m schemas.export` and commit schemas/json"


def test_every_topic_has_key_and_value_schema_files():
    names = {p.name for p in OUT.glob("*.schema.json")}
    for topic in TOPICS:
        assert f"{topic}.key.schema.json" in names
        assert f"{topic}.value.schema.json" in names


def test_drift_is_detected(tmp_path, monkeypatch):
    import schemas.export as export
    monkeypatch.setattr(export, "OUT", tmp_path)
    for name, text in rendered().items():
        (tmp_path / name).write_text(text)
    assert export.drift() == []
    victim = tmp_path / "articles.value.schema.json"
    data = json.loads(victim.read_text())
    data["properties"].pop("body")
    victim.write_text(json.dumps(data))
    assert export.drift() == ["articles.value.schema.json"]


def test_every_value_carries_schema_version():
    for contract in TOPICS.values():
        schema = json.loads((OUT / f"{contract.name}.value.schema.json").read_text())
        assert "schema_version" in schema["properties"], contract.name


def test_article_rejects_wrong_types_and_empty_body():
    with pytest.raises(ValidationError):
        Article(article_id="a", title="t", body="", content_hash="h")
    with pytest.raises(ValidationError):
        Article.model_validate({"article_id": "a", "title": 5, "body": "b", "content_hash": "h"})
    with pytest.raises(ValidationError):
        Article.model_validate({"article_id": "a", "title": "t", "body": "b", "content_hash": "h", "surprise": 1})


def test_dead_letter_json_validates_against_exported_schema():
    letter = DeadLetter(reason="bad", error_type="invalid", service="x", source_topic="articles",
                        partition=0, offset=3, original_value=b"\xff\x00", failed_at=datetime.now(timezone.utc))
    doc = json.loads(letter.model_dump_json())
    jsonschema.validate(doc, json.loads((OUT / "dead-letters.value.schema.json").read_text()))
    assert DeadLetter.model_validate_json(letter.model_dump_json()).original_value == b"\xff\x00"


def test_entity_word_recurrence_is_optional_and_written_only_when_true():
    old = {"name": "Doves", "type": "ORG", "mentions": [{"text": "Doves", "start": 4, "end": 9}]}
    ent = EntityMention.model_validate(old)              # a message written before the field
    assert ent.mentions[0].word_recurrence is False
    assert json.loads(ent.model_dump_json())["mentions"] == old["mentions"]
    ent.mentions.append(EntitySpan(text="Doves", start=30, end=35, word_recurrence=True))
    doc = json.loads(ent.model_dump_json())
    assert doc["mentions"][1]["word_recurrence"] is True
    schema = json.loads((OUT / "article-entities.value.schema.json").read_text())
    jsonschema.validate(doc, {**schema["$defs"]["EntityMention"], "$defs": schema["$defs"]})
    assert [m.start for m in ent.counted_mentions()] == [4]
    # a plain Span (callers built mentions that way) is read as a tagged mention
    assert EntityMention(name="X", type="ORG", mentions=[Span(text="X", start=0, end=1)]).mentions[0].word_recurrence is False
