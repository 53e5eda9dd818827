"""``keep_queued_on_resume``: resuming flow control keeps what the agents' queues hold (faust's
recovery resumes it after the fetcher may already have delivered the first message)."""
from __future__ import annotations

from types import SimpleNamespace

from mode.utils.queues import FlowControlEvent, FlowControlQueue

from services.common.app import keep_queued_on_resume


def _app():
    fc = FlowControlEvent()                    # suspended, as faust starts it
    agent_queue = FlowControlQueue(flow_control=fc, clear_on_resume=True)
    changelog_queue = FlowControlQueue(flow_control=fc, clear_on_resume=True)
    app = SimpleNamespace(flow_control=fc, tables=SimpleNamespace(changelog_queue=changelog_queue))
    return app, agent_queue, changelog_queue


def test_upstream_resume_empties_every_managed_queue():
    # mode/faust behaviour this works around (the day this fails, the workaround can go)
    app, agent_queue, changelog_queue = _app()
    agent_queue.put_nowait("article-entities@65")
    app.flow_control.resume()
    assert agent_queue.qsize() == 0


def test_resume_keeps_agent_queues_and_still_clears_the_changelog_queue():
    app, agent_queue, changelog_queue = _app()
    keep_queued_on_resume(app)
    agent_queue.put_nowait("article-entities@65")
    changelog_queue.put_nowait("stale changelog event")
    app.flow_control.resume()
    assert app.flow_control.is_active()
    assert agent_queue.get_nowait() == "article-entities@65"
    assert changelog_queue.qsize() == 0


def test_explicit_clear_on_revocation_still_empties_agent_queues():
    app, agent_queue, _ = _app()
    keep_queued_on_resume(app)
    app.flow_control.resume()
    agent_queue.put_nowait("before the rebalance")
    app.flow_control.suspend()
    app.flow_control.clear()                   # what faust does when partitions are revoked
    assert agent_queue.qsize() == 0
    app.flow_control.resume()                  # and resuming again keeps working
    agent_queue.put_nowait("after")
    app.flow_control.resume()
    assert agent_queue.qsize() == 1
