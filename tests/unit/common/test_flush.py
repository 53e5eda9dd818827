"""``harden_flush``: after ``producer.flush()`` every message handed to faust's producer buffer
before it has left the buffer (faust's own flush gives up after 0.1 s without a send)."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from faust.transport.producer import ProducerBuffer
from faust.types.tuples import FutureMessage, PendingMessage

from services.common.app import harden_flush


class SlowChannel:
    """A topic whose sends each take longer than faust's 0.1 s flush patience."""

    def __init__(self, delay: float) -> None:
        self.delay, self.sent = delay, []

    async def publish_message(self, fut, wait=False):
        await asyncio.sleep(self.delay)
        self.sent.append(fut.message.value)
        fut.set_result(None)
        return fut


def _message(channel, value) -> FutureMessage:
    return FutureMessage(PendingMessage(channel, None, value, None, None, None, None, None, None))


async def _with_buffer(body):
    buffer = ProducerBuffer()
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    await buffer.start()
    try:
        return await body(buffer)
    finally:
        while buffer.size:                # (faust's buffer cannot stop with messages left)
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        await buffer.stop()


def test_faust_flush_alone_returns_with_messages_still_buffered():
    """The upstream behaviour the hardening exists for (if faust fixes it, this fails)."""
    async def body(buffer):
        channel = SlowChannel(0.15)
        for i in range(4):
            buffer.put(_message(channel, i))
        await buffer.flush()
        return buffer.size, len(channel.sent)
    size, sent = asyncio.run(_with_buffer(body))
    assert size > 0 and sent < 4


def test_hardened_flush_returns_only_when_everything_before_it_left_the_buffer():
    async def body(buffer):
        channel = SlowChannel(0.15)
        downstream = []

        async def aiokafka_flush():       # what faust's flush does after its buffer
            downstream.append(list(channel.sent))
        producer = SimpleNamespace(buffer=buffer, flush=aiokafka_flush)
        harden_flush(producer, timeout=10)
        for i in range(4):
            buffer.put(_message(channel, i))
        await producer.flush()
        later = _message(channel, "later")
        buffer.put(later)
        return downstream, buffer.size
    downstream, size = asyncio.run(_with_buffer(body))
    assert downstream == [[0, 1, 2, 3]], "the downstream flush ran after all four earlier sends"
    assert size == 1, "a message sent after the call is not waited for"


def test_hardened_flush_does_not_wait_on_a_stopped_buffer():
    async def body():
        buffer = ProducerBuffer()
        buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
        calls = []

        async def original():
            calls.append(1)
        producer = SimpleNamespace(buffer=buffer, flush=original)
        harden_flush(producer, timeout=0.5)
        await producer.flush()            # never started: falls back to faust's flush at once
        return calls
    assert asyncio.run(body()) == [1]
