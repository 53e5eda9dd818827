"""A dead letter for what no single message holds (an expired join half): its origin topic, key
and value, no partition or offset (issue 19, item 5)."""
from __future__ import annotations

from schemas.models import DeadLetter
from services.common.deadletters import DeadLetters
from services.common.settings import Settings


class _Topic:
    def __init__(self):
        self.sent = []

    def send_soon(self, key, value):
        self.sent.append((key, value))


class _App:
    def __init__(self):
        self.topics = {}

    def topic(self, name, **kw):
        return self.topics.setdefault(name, _Topic())


def test_send_record_writes_a_dead_letter_with_topic_key_value_and_reason():
    app, settings = _App(), Settings()
    dlq = DeadLetters(app, settings, "aggregator")
    dlq.send_record("article-entities", b'{"article_id": "a1"}', b'{"x": 1}', "its quotes result never arrived",
                    error_type="expired")
    ((key, value),) = app.topics[settings.topic("dead-letters")].sent
    letter = DeadLetter.model_validate_json(value)
    assert key == b'{"article_id": "a1"}' and dlq.count == 1
    assert (letter.source_topic, letter.partition, letter.offset) == ("article-entities", None, None)
    assert (letter.original_key, letter.original_value) == (b'{"article_id": "a1"}', b'{"x": 1}')
    assert (letter.reason, letter.error_type, letter.service) == ("its quotes result never arrived", "expired",
                                                                  "aggregator")
