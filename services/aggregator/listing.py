"""The order ``GET /stories`` lists stories in (newest update first), kept up to date as the
aggregator writes its ``stories`` table, so a request reads one page of records instead of
sorting the whole table on the event loop that aggregates (issue 19, item 4).

:class:`ListedTable` stands between the aggregator and the table: every write goes to the
table and to the :class:`StoryListing`.  The listing is built once from the table (after its
recovery: :meth:`StoryListing.build`), then follows the writes.  It holds one small entry per
story with articles (closed ones included: they are listed too).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Iterator, Optional

from sortedcontainers import SortedList

from services.aggregator.records import member_count


def _entry(record) -> Optional[tuple[str, str]]:
    """(updated_at, story id) of a record the list shows (one with articles), else None."""
    if not member_count(record):
        return None
    return (record.get("updated_at") or "", record["story_id"])


class StoryListing:
    """Story ids ordered by (updated_at, story id), newest first."""

    def __init__(self) -> None:
        self.built = False
        self._order: SortedList = SortedList()
        self._entries: dict[str, tuple[str, str]] = {}

    def build(self, records) -> None:
        """(Re)build from every record of the table."""
        self._order.clear()
        self._entries.clear()
        for record in records:
            if record:
                self._put(record.get("story_id"), record)
        self.built = True

    def put(self, story_id: str, record) -> None:
        """A table write (``record`` None: a deletion)."""
        if self.built:
            self._put(story_id, record)

    def _put(self, story_id: str, record) -> None:
        old = self._entries.pop(story_id, None)
        if old is not None:
            self._order.remove(old)
        new = _entry(record)
        if new is not None:
            self._entries[story_id] = new
            self._order.add(new)

    def __len__(self) -> int:
        return len(self._order)

    def page(self, start: int, count: int) -> list[str]:
        """The story ids at positions ``start`` .. ``start + count - 1``, newest first."""
        n = len(self._order)
        hi, lo = n - start, max(0, n - start - count)
        if hi <= 0:
            return []
        return [sid for _, sid in reversed(self._order[lo:hi])]


class ListedTable(MutableMapping):
    """The ``stories`` table, with every write also shown to a :class:`StoryListing`."""

    def __init__(self, table, listing: StoryListing) -> None:
        self.table, self.listing = table, listing

    def __getitem__(self, key):
        return self.table[key]

    def get(self, key, default=None):
        return self.table.get(key, default)

    def __setitem__(self, key, value) -> None:
        self.table[key] = value
        self.listing.put(key, value)

    def __delitem__(self, key) -> None:
        del self.table[key]
        self.listing.put(key, None)

    def __iter__(self) -> Iterator:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def values(self):
        return self.table.values()

    def items(self):
        return self.table.items()
