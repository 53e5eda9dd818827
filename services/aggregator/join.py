"""Join an article's quotes and entities results, whatever order they arrive in.

Pending halves are kept per article id and content hash (a revision of an
article arriving mid-join never mixes with the old one's results).
"""
from __future__ import annotations

KINDS = ("quotes", "entities")
SINCE = "since"            # in a version's pending entry: when its first half arrived


def join_step(pending: dict | None, kind: str, content_hash: str, payload: dict, since: str | None = None
              ) -> tuple[dict | None, tuple[dict, dict] | None]:
    """Add one half; return (new pending entry or None, (quotes, entities) when complete).
    ``since``: when the half arrived (ISO); a version's first half keeps it (``SINCE``), so a
    half whose twin never comes can expire (``durability.Durability.expire_pending``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown result kind {kind!r}")
    entry = dict(pending or {})
    halves = dict(entry.get(content_hash) or {})
    halves[kind] = payload
    if since is not None:
        halves.setdefault(SINCE, since)
    if all(k in halves for k in KINDS):
        entry.pop(content_hash, None)
        return (entry or None), (halves["quotes"], halves["entities"])
    entry[content_hash] = halves
    return entry, None
