"""``storystream board``: the feed, the web server and the health endpoints in one process."""
from __future__ import annotations

import asyncio

from aiohttp import web

from services.board.feed import StoryStateFeed
from services.board.server import Hub, make_app
from services.board.store import BoardStore
from services.common import logging as slog
from services.common.metrics import gauge, serve_health
from services.common.settings import Settings
from services.producer.live import stop_event

log = slog.get_logger("storystream.board")


async def serve(settings: Settings, stop: asyncio.Event, host: str, port: int) -> int:
    store, hub = BoardStore(), Hub()
    feed = StoryStateFeed(settings, store, hub.publish)
    gauge("storystream_board_stories", "Stories the board holds", [], lambda: [((), len(store.summaries))])
    gauge("storystream_board_clients", "Browsers connected for updates", [], lambda: [((), len(hub.queues))])
    runner = web.AppRunner(make_app(store, hub, feed.read_at, settings.rate_limit, settings.rate_burst,
                                          settings.trusted_networks), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    health = await serve_health(settings, "board", lambda: feed.caught_up.is_set() and not stop.is_set())
    log.info("board.started", url=f"http://{host}:{port}/")
    reading = asyncio.create_task(feed.run(stop))
    try:
        done, _ = await asyncio.wait({reading, asyncio.create_task(stop.wait())},
                                     return_when=asyncio.FIRST_COMPLETED)
        if reading in done:
            reading.result()      # a failed feed ends the board with its error
    finally:
        stop.set()
        await asyncio.gather(reading, return_exceptions=True)
        await health.stop()
        await runner.cleanup()
    log.info("board.stopped")
    return 0


def run_board(settings: Settings, host: str, port: int) -> int:
    slog.configure(settings.log_level, service="board")

    async def main() -> int:
        return await serve(settings, stop_event(), host, port)
    return asyncio.run(main())
