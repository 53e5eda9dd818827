"""Live sources for ``storystream produce``: a followed JSONL file and a watched drop folder.

``--follow FILE``: an append-only JSONL file is read as it grows; each complete line is published
when it is written.  The offset after the last line whose records the broker confirmed is saved
in ``$STORYSTREAM_DATA_DIR/follow/`` (one small JSON file per followed path, written atomically),
so a restarted follower resumes there: nothing is skipped, and a record is published again only
if the process died between its send and the save (the same id and content: downstream stages
ignore such a repeat).  A file that shrank or was replaced (another inode) is read from its start.
A send that fails after its retries stops the follower before its line (exit 1): restarted, it
tries that line again.

``--watch DIR``: files with a known suffix (``.txt``, ``.json``, ``.jsonl``) that appear in ``DIR``
are published once, then moved to ``DIR/.published/`` (or ``DIR/.failed/`` when a send failed after
its retries; re-drop the file to try again).  A file is read once its size and modification time
stayed the same over one scan interval (a writer still appending is waited for); writers that can
should write under a hidden name and rename into the folder.

Both stop on SIGINT/SIGTERM (pending sends confirmed, offset saved) or after ``idle`` seconds
without new input.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
from pathlib import Path

from services.common import logging as slog
from services.producer.publish import Publisher
from services.producer.sources import SUFFIXES, SourceError, read_path, read_unit
from services.producer.stream import Unit

log = slog.get_logger("storystream.producer")
CHUNK = 1 << 16


def stop_event() -> asyncio.Event:
    """Set on SIGINT or SIGTERM (handlers on the running loop)."""
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, event.set)
        except (NotImplementedError, RuntimeError):   # not the main thread
            pass
    return event


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


# --------------------------------------------------------------------------- follow
class FollowState:
    """Where a followed file was read up to: byte offset, line number, inode."""

    def __init__(self, data_dir: Path, path: Path) -> None:
        self.path = path.resolve()
        digest = hashlib.sha256(str(self.path).encode()).hexdigest()[:20]
        self.file = Path(data_dir) / "follow" / f"{digest}.json"
        self.offset, self.line, self.inode = 0, 0, None
        try:
            saved = json.loads(self.file.read_text())
            if saved.get("path") == str(self.path):
                self.offset, self.line, self.inode = int(saved["offset"]), int(saved["line"]), saved.get("inode")
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def save(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"path": str(self.path), "offset": self.offset, "line": self.line,
                                   "inode": self.inode}))
        os.replace(tmp, self.file)


async def follow_file(path: Path, pub: Publisher, data_dir: Path, *, max_body_bytes: int,
                      poll: float = 0.25, idle: float | None = None,
                      stop: asyncio.Event | None = None) -> bool:
    """Publish the lines of ``path`` as they are appended; False if a send failed for good."""
    stop = stop or asyncio.Event()
    state = FollowState(data_dir, path)
    name = str(path)
    limit = 2 * max_body_bytes + 65536
    idle_for = 0.0
    while not stop.is_set():
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        if st is not None and (st.st_ino != state.inode or st.st_size < state.offset):
            if state.offset:
                log.warning("follow.restart_from_top", path=name, reason="file replaced or truncated")
            state.offset, state.line, state.inode = 0, 0, st.st_ino
        if st is None or st.st_size == state.offset:
            if idle is not None and idle_for >= idle:
                break
            await _sleep_or_stop(stop, poll)
            idle_for += poll
            continue
        idle_for = 0.0
        ok = await _publish_new_lines(path, pub, state, name, limit, max_body_bytes)
        state.save()
        if not ok:
            return False
    return True


async def _publish_new_lines(path: Path, pub: Publisher, state: FollowState, name: str, limit: int,
                             max_body_bytes: int) -> bool:
    """Read the complete lines after ``state.offset``, publish them, and advance the state past
    the last line all of whose sends were confirmed."""
    lines = await asyncio.to_thread(_complete_lines, path, state.offset, limit)
    pending: list[tuple[int, list[asyncio.Task]]] = []
    number = state.line
    for raw, size, end in lines:
        number += 1
        unit = Unit("line", number, raw) if raw else Unit("too_long", number, b"", size)
        tasks = [await pub.send_item(item) for item in read_unit(unit, name, max_body_bytes=max_body_bytes)]
        pending.append((end, tasks))
    for end, tasks in pending:
        if not all(await asyncio.gather(*tasks)):
            return False
        state.offset, state.line = end, state.line + 1
    return True


def _complete_lines(path: Path, offset: int, limit: int, max_bytes: int = 8 << 20) -> list[tuple[bytes, int, int]]:
    """``(line, size, end offset)`` of the complete lines after ``offset`` (up to about
    ``max_bytes`` at a time); a line over ``limit`` comes as ``(b"", size, end)``."""
    out: list[tuple[bytes, int, int]] = []
    with open(path, "rb") as fh:
        fh.seek(offset)
        pos, read = offset, 0
        while read < max_bytes:
            line = fh.readline(limit + 1)
            if not line.endswith(b"\n"):
                if len(line) <= limit:
                    break                      # a partial last line: wait for the rest
                size = len(line)
                while not line.endswith(b"\n"):
                    line = fh.readline(CHUNK)
                    if not line:
                        return out             # the over-long line is not complete yet
                    size += len(line)
                pos += size
                out.append((b"", size, pos))
                continue
            pos += len(line)
            read += len(line)
            out.append((line, len(line), pos))
    return out


# --------------------------------------------------------------------------- watch
async def watch_folder(folder: Path, pub: Publisher, *, max_body_bytes: int, poll: float = 0.5,
                       idle: float | None = None, stop: asyncio.Event | None = None) -> bool:
    """Publish each file that appears in ``folder`` once, then move it; False if any send failed."""
    stop = stop or asyncio.Event()
    done_dir, failed_dir = folder / ".published", folder / ".failed"
    seen: dict[Path, tuple[int, int]] = {}
    all_ok, idle_for = True, 0.0
    while not stop.is_set():
        ready, current = [], {}
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith(".") or not entry.is_file() or not entry.name.lower().endswith(SUFFIXES):
                continue
            st = entry.stat()
            current[Path(entry.path)] = (st.st_size, st.st_mtime_ns)
        for p, sig in current.items():
            if seen.get(p) == sig:
                ready.append(p)
        seen = {p: sig for p, sig in current.items() if p not in ready}
        for p in ready:
            items = await asyncio.to_thread(lambda: list(read_path(str(p), max_body_bytes=max_body_bytes)))
            tasks = [await pub.send_item(item) for item in items]
            ok = all(await asyncio.gather(*tasks))
            target = _move(p, done_dir if ok else failed_dir)
            bad = sum(isinstance(i, SourceError) for i in items)
            log.info("watch.file_done", path=str(p), moved_to=str(target), records=len(items), refused=bad,
                     sends_ok=ok)
            all_ok = all_ok and ok
        if ready or current:
            idle_for = 0.0
        elif idle is not None and idle_for >= idle:
            break
        await _sleep_or_stop(stop, poll)
        idle_for += poll
    return all_ok


def _move(path: Path, into: Path) -> Path:
    into.mkdir(exist_ok=True)
    target = into / path.name
    n = 1
    while target.exists():
        target = into / f"{path.stem}.{n}{path.suffix}"
        n += 1
    os.replace(path, target)
    return target
