"""Send refused messages to the dead-letter topic with their origin."""
from __future__ import annotations

import faust

from services.common import logging as slog
from services.common.codec import dead_letter, encode
from services.common.metrics import DEAD_LETTERS
from services.common.settings import Settings


class DeadLetters:
    def __init__(self, app: faust.App, settings: Settings, service: str) -> None:
        self.service = service
        self.topic = app.topic(settings.topic("dead-letters"), key_serializer="raw", value_serializer="raw")
        self.log = slog.get_logger("storystream.deadletters")
        self.count = 0

    def send_soon(self, message, reason: str, error_type: str = "invalid") -> None:
        """``message`` is a faust ``Message`` (topic, partition, offset, key, value).

        Synchronous (faust's producer buffer, flushed before every offset commit), so a
        stop cannot interrupt it between taking a message and recording its fate.
        """
        letter = dead_letter(reason=reason, error_type=error_type, service=self.service,
                             topic=message.topic, partition=message.partition, offset=message.offset,
                             key=message.key, value=message.value)
        self.topic.send_soon(key=message.key, value=encode(letter))
        self.count += 1
        DEAD_LETTERS.labels(self.service, error_type).inc()
        self.log.warning("message.dead_lettered", reason=reason, error_type=error_type,
                         topic=message.topic, partition=message.partition, offset=message.offset)

    def send_record(self, topic: str, key: bytes | None, value: bytes | None, reason: str, error_type: str) -> None:
        """A dead letter for what no single message holds (e.g. a join half that expired): the
        topic it came from, its key and value; no partition or offset."""
        letter = dead_letter(reason=reason, error_type=error_type, service=self.service,
                             topic=topic, partition=None, offset=None, key=key, value=value)
        self.topic.send_soon(key=key, value=encode(letter))
        self.count += 1
        self.log.warning("message.dead_lettered", reason=reason, error_type=error_type, topic=topic)

    async def send(self, message, reason: str, error_type: str = "invalid") -> None:
        self.send_soon(message, reason, error_type)
