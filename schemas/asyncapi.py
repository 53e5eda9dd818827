"""The AsyncAPI 3.0 document of every topic, written to ``schemas/asyncapi.yaml``.

Built from the exported JSON Schemas (``schemas/json``: keys and values), the topic layout the
services create (``services.common.kafka.topic_layout``: partitions, compaction) and the flows
below (who sends and who receives each topic).  ``storystream asyncapi`` rewrites the file;
``--check`` exits 1 when it drifts.  The document is checked against the official AsyncAPI 3.0
JSON Schema, a committed copy in ``schemas/vendor/``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import yaml

from schemas.export import OUT as JSON_DIR
from schemas.topics import TOPICS

OUT = Path(__file__).resolve().parent / "asyncapi.yaml"
OFFICIAL_SCHEMA = Path(__file__).resolve().parent / "vendor" / "asyncapi-3.0.0.schema.json"
JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
KAFKA_BINDING = "0.5.0"

# topic -> (services that send it, services that receive it); "downstream" is any consumer of
# the product (the board, `storystream tail`, a team's own service).
FLOWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "articles": (("producer", "feeds", "ingest"), ("annotator",)),
    "article-annotations": (("annotator",), ("quotes", "entities")),
    "article-quotes": (("quotes",), ("aggregator",)),
    "article-entities": (("entities",), ("aggregator",)),
    "story-state": (("aggregator",), ("downstream",)),
    "dead-letters": (("producer", "ingest", "feeds", "annotator", "quotes", "entities", "aggregator"),
                     ("downstream",)),
    "feed-state": (("feeds",), ("feeds",)),
    "feed-items": (("feeds",), ("feeds",)),
}

# Topics whose partition count is a setting (the default is what the document shows).
PARTITION_SETTINGS = {
    "articles": "STORYSTREAM_PARTITIONS", "article-annotations": "STORYSTREAM_PARTITIONS",
    "feed-state": "STORYSTREAM_FEEDS_PARTITIONS", "feed-items": "STORYSTREAM_FEEDS_PARTITIONS",
}

DESCRIPTION = """\
Event-driven news ingestion: articles stream into Kafka; one spaCy pass per article feeds the quote
and entity extractors; the aggregator groups articles into stories and publishes each story's
whole, versioned state to the compacted `story-state` topic, the product.

**Encoding.** Every key and value is UTF-8 JSON following the JSON Schema given for it (exported
from the pydantic models, `schemas/json/`). Every value carries `schema_version`: additive,
optional fields keep the version; removing or retyping a field raises it.

**Delivery guarantee: at least once.** Producers wait for all in-sync replicas (`acks=all`);
workers commit a consumer offset only after what its message produced is acknowledged. A restart
may therefore deliver a message again, never lose one. Consumers must be idempotent: articles are
keyed by `article_id` (a repeated article is the same article), and a story state carries a
`version` that grows by one per update of that story, so the latest state of a story is the one
with the highest version seen (the last one on ties); an older or equal version is a re-delivery.
Order holds per key (one key, one partition).

**Dead-letter contract.** A message that can never be processed (not JSON, not the schema, over a
size limit, or crashing the processing alone) is not retried and not dropped: it goes to
`dead-letters` with its original key and bytes, the reason, an `error_type` (`invalid` for input
refused before processing, `processing` for a crash; the feeds worker's `feed` and `feed_item`,
which keep the start of the fetched document), the service, and its origin (topic, partition,
offset; none for input refused by the producer, the push service or the feeds worker). The rest of
the batch goes through, and the service keeps running. Replaying a dead letter means fixing it and
producing it again to its `source_topic`.
"""

CHANNEL_NOTES = {
    "story-state": " Compacted and keyed by story id: reading it from the beginning gives every story's latest "
                   "state. A story merged into another carries `merged_into` and no articles.",
    "dead-letters": " Never compacted: every refusal is kept for the topic's retention.",
}


def _default_layout() -> dict[str, dict]:
    """Partitions and configs of every topic at the default settings (no prefix)."""
    from services.common.kafka import topic_layout
    from services.common.settings import Settings
    fields = Settings.model_fields
    defaults = SimpleNamespace(article_partitions=fields["article_partitions"].default,
                               feeds_partitions=fields["feeds_partitions"].default, topic=lambda name: name)
    return topic_layout(defaults)  # type: ignore[arg-type]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _exported(name: str) -> dict:
    """An exported JSON Schema file (``schemas/json``), as committed."""
    return json.loads((JSON_DIR / name).read_text("utf-8"))


def _key_schema(topic: str) -> dict:
    """The key's schema inlined in the Kafka message binding (an AsyncAPI Schema Object, a
    superset of draft-07: the key schemas use nothing newer)."""
    schema = _exported(f"{topic}.key.schema.json")
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def _channel(topic: str, spec: dict) -> dict:
    contract = TOPICS[topic]
    config: dict = {"cleanup.policy": [spec["config"].get("cleanup.policy", "delete")]}
    if "max.message.bytes" in spec["config"]:
        config["max.message.bytes"] = int(spec["config"]["max.message.bytes"])
    binding: dict = {"topic": topic, "partitions": spec["partitions"], "topicConfiguration": config,
                     "bindingVersion": KAFKA_BINDING}
    channel: dict = {
        "address": topic,
        "title": topic,
        "description": (contract.doc[:1].upper() + contract.doc[1:] + "." + CHANNEL_NOTES.get(topic, "")).strip(),
        "messages": {_camel(topic): {"$ref": f"#/components/messages/{_camel(topic)}"}},
        "bindings": {"kafka": binding},
    }
    if topic in PARTITION_SETTINGS:
        channel["x-partitions-setting"] = PARTITION_SETTINGS[topic]
    return channel


def _message(topic: str) -> dict:
    contract = TOPICS[topic]
    return {
        "name": _camel(topic),
        "title": f"{contract.value.__name__} ({topic})",
        "summary": contract.doc,
        "contentType": "application/json",
        "payload": {"schemaFormat": JSON_SCHEMA_FORMAT, "schema": _exported(f"{topic}.value.schema.json")},
        "bindings": {"kafka": {"key": _key_schema(topic), "bindingVersion": KAFKA_BINDING}},
        "x-key-schema": f"json/{topic}.key.schema.json",
        "x-value-schema": f"json/{topic}.value.schema.json",
    }


def _operations() -> dict:
    ops: dict = {}
    for topic, (senders, receivers) in FLOWS.items():
        for action, services in (("send", senders), ("receive", receivers)):
            for service in services:
                op: dict = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{topic}"},
                    "summary": f"{service} {action}s {topic}",
                    "messages": [{"$ref": f"#/channels/{topic}/messages/{_camel(topic)}"}],
                }
                if action == "receive" and service != "downstream":
                    op["bindings"] = {"kafka": {"groupId": {"type": "string", "const": f"storystream-{service}"},
                                                "bindingVersion": KAFKA_BINDING}}
                ops[f"{service}{action.capitalize()}{_camel(topic)}"] = op
    return ops


def document() -> dict:
    layout = _default_layout()
    if set(layout) != set(TOPICS) or set(FLOWS) != set(TOPICS):
        raise ValueError("every topic needs a layout and a flow")
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Storystream topics",
            "version": "1.0.0",
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:9092", "protocol": "kafka",
                      "description": "`storystream broker` (KAFKA_BOOTSTRAP sets another address; "
                                     "STORYSTREAM_TOPIC_PREFIX prefixes every topic name)"},
            "compose": {"host": "kafka:9092", "protocol": "kafka", "description": "docker-compose.yml"},
        },
        "channels": {topic: _channel(topic, layout[topic]) for topic in TOPICS},
        "operations": _operations(),
        "components": {"messages": {_camel(topic): _message(topic) for topic in TOPICS}},
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the descriptions) as literal blocks, readable in the file."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def rendered() -> str:
    header = "# Generated by `storystream asyncapi` from schemas/json and the topic layout: do not edit.\n"
    return header + yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def drift() -> bool:
    return not OUT.exists() or OUT.read_text("utf-8") != rendered()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        if drift():
            print(f"asyncapi drift: {OUT.name} (run `storystream asyncapi`)", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(rendered(), "utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
