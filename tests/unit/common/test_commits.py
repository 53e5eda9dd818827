"""``no_commits_once_stopping``: a stopping worker commits no offset (its restart re-reads)."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from services.common.app import no_commits_once_stopping


def _app():
    calls = []

    async def commit(*args, **kwargs):
        calls.append((args, kwargs))
        return True
    consumer = SimpleNamespace(should_stop=False, commit=commit)
    app = SimpleNamespace(should_stop=False, consumer=consumer)
    no_commits_once_stopping(app)
    return app, calls


def test_commits_pass_through_while_running():
    app, calls = _app()
    assert asyncio.run(app.consumer.commit(start_new_transaction=False)) is True
    assert calls == [((), {"start_new_transaction": False})]


def test_no_commit_once_the_app_or_its_consumer_is_stopping():
    app, calls = _app()
    app.should_stop = True
    assert asyncio.run(app.consumer.commit()) is False
    app.should_stop, app.consumer.should_stop = False, True
    assert asyncio.run(app.consumer.commit()) is False
    assert calls == []
