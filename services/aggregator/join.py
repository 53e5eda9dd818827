"""Join an article's quotes and entities results, whatever order they arrive in.

Pending halves are kept per article id and content hash (a revision of an
article arriving mid-join never mixes with the old one's results).
"""
from __future__ import annotations

KINDS = ("quotes", "entities")


def join_step(pending: dict | None, kind: str, content_hash: str, payload: dict
              ) -> tuple[dict | None, tuple[dict, dict] | None]:
    """Add one half; return (new pending entry or None, (quotes, entities) when complete)."""
    if kind not in KINDS:
        raise ValueError(f"unknown result kind {kind!r}")
    entry = dict(pending or {})
    halves = dict(entry.get(content_hash) or {})
    halves[kind] = payload
    if all(k in halves for k in KINDS):
        entry.pop(content_hash, None)
        return (entry or None), (halves["quotes"], halves["entities"])
    entry[content_hash] = halves
    return entry, None
