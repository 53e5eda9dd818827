"""The AsyncAPI document: valid against the official AsyncAPI 3.0 JSON Schema (committed copy),
in step with the models and the topic layout, and describing every topic."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml

import schemas.asyncapi as asyncapi
from schemas import TOPICS
from schemas.export import OUT as JSON_DIR
from services.common.kafka import topic_layout
from services.common.settings import load


@pytest.fixture(scope="module")
def official():
    schema = json.loads(asyncapi.OFFICIAL_SCHEMA.read_text("utf-8"))
    assert schema["$id"] == "http://asyncapi.com/definitions/3.0.0/asyncapi.json"
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load(asyncapi.OUT.read_text("utf-8"))


def errors(validator, doc) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_committed_document_validates_against_official_schema(official, doc):
    assert doc["asyncapi"] == "3.0.0"
    assert errors(official, doc) == []


@pytest.mark.parametrize("breakage", ["partitions", "action", "channel-address", "no-info"])
def test_official_schema_catches_a_broken_document(official, doc, breakage):
    bad = copy.deepcopy(doc)
    if breakage == "partitions":
        bad["channels"]["story-state"]["bindings"]["kafka"]["partitions"] = 0
    elif breakage == "action":
        bad["operations"]["aggregatorSendStoryState"]["action"] = "publish"   # AsyncAPI 2 verb
    elif breakage == "channel-address":
        bad["channels"]["articles"]["address"] = 7
    else:
        del bad["info"]
    assert errors(official, bad), breakage


def test_committed_document_has_not_drifted():
    assert not asyncapi.drift(), "run `storystream asyncapi` and commit schemas/asyncapi.yaml"


def test_drift_is_detected(tmp_path, monkeypatch):
    target = tmp_path / "asyncapi.yaml"
    monkeypatch.setattr(asyncapi, "OUT", target)
    assert asyncapi.main([]) == 0 and not asyncapi.drift() and asyncapi.main(["--check"]) == 0
    target.write_text(target.read_text().replace("- compact", "- delete", 1))
    assert asyncapi.drift() and asyncapi.main(["--check"]) == 1


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_every_internal_reference_resolves(doc):
    asyncapi_refs = [r for r in _refs({k: doc[k] for k in ("channels", "operations")}) if r.startswith("#/")]
    assert asyncapi_refs
    for ref in asyncapi_refs:
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert node, ref


def test_every_topic_is_a_channel_with_its_exported_schemas(doc):
    assert set(doc["channels"]) == set(TOPICS)
    for topic in TOPICS:
        ref = doc["channels"][topic]["messages"]
        (msg_ref,) = [m["$ref"] for m in ref.values()]
        message = doc["components"]["messages"][msg_ref.rsplit("/", 1)[1]]
        value = json.loads((JSON_DIR / f"{topic}.value.schema.json").read_text())
        key = json.loads((JSON_DIR / f"{topic}.key.schema.json").read_text())
        assert message["payload"]["schema"] == value
        assert message["payload"]["schemaFormat"].startswith("application/schema+json")
        assert message["bindings"]["kafka"]["key"]["properties"] == key["properties"]
        assert message["bindings"]["kafka"]["key"]["required"] == key["required"]


def test_partitions_and_compaction_follow_the_topic_layout(doc):
    layout = topic_layout(load({"STORYSTREAM_TOPIC_PREFIX": ""}))
    for topic in TOPICS:
        binding = doc["channels"][topic]["bindings"]["kafka"]
        spec = layout[topic]
        assert binding["partitions"] == spec["partitions"], topic
        want = spec["config"].get("cleanup.policy", "delete")
        assert binding["topicConfiguration"]["cleanup.policy"] == [want], topic
    assert doc["channels"]["story-state"]["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"] == ["compact"]
    assert doc["channels"]["dead-letters"]["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"] == ["delete"]


def test_every_topic_has_a_sender_and_a_receiver(doc):
    for topic in TOPICS:
        actions = {op["action"] for op in doc["operations"].values() if op["channel"]["$ref"] == f"#/channels/{topic}"}
        assert actions == {"send", "receive"}, topic


def test_delivery_guarantee_and_dead_letter_contract_are_stated(doc):
    text = doc["info"]["description"]
    assert "at least once" in text and "idempotent" in text and "version" in text
    assert "Dead-letter contract" in text and "original key and bytes" in text
    letter = doc["components"]["messages"]["DeadLetters"]["payload"]["schema"]
    assert {"reason", "error_type", "service", "source_topic", "original_value"} <= set(letter["properties"])


def test_cli_checks_the_committed_document(monkeypatch, tmp_path, capsys):
    from services.cli import main
    assert main(["asyncapi", "--check"]) == 0
    monkeypatch.setattr(asyncapi, "OUT", tmp_path / "missing.yaml")
    assert main(["asyncapi", "--check"]) == 1
    assert "asyncapi drift" in capsys.readouterr().err
