"""Framing a byte stream (a pipe, a growing file) into records as its lines arrive.

``storystream produce -`` reads stdin one line at a time, so ``tail -f wire.jsonl | storystream
produce -`` publishes each record when its line arrives instead of when the pipe closes.  What a
stream holds is decided by its first non-blank line:

* it parses as JSON by itself: **JSON lines** from then on, each line one record (or a JSON list of
  records), handed on at once; a line that does not parse is a bad record, and the next line
  is read as usual;
* it starts with ``{`` or ``[`` but does not parse alone: the start of a **multi-line JSON
  document** (pretty-printed); lines are gathered until a line in column 0 that closes it
  (``}`` / ``]``) makes the gathered text parse, and the stream starts over after it.  A line in
  column 0 that parses alone (pretty-printers indent the inside of a document) ends the gathering:
  the gathered lines were bad JSON lines, and the stream is JSON lines from there on.  At the end
  of the stream, gathered lines that never parsed are bad JSON lines;
* anything else: one **plain-text article** (title line, body), which needs the whole stream.

Lines are read with a length limit, so a line without end costs bounded memory: it is skipped
(to its newline) and reported.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterable, Iterator, Literal

__all__ = ["Unit", "bounded_lines", "frames"]

_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_UNPARSED = object()


@dataclass
class Unit:
    """One framed piece of the stream: a JSON line (``value`` already parsed), a multi-line
    JSON document, the whole stream as text, or a line over the length limit."""

    kind: Literal["line", "document", "text", "too_long"]
    first_line: int
    raw: bytes
    value: Any = field(default=_UNPARSED, repr=False)

    @property
    def parsed(self) -> bool:
        return self.value is not _UNPARSED


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[bytes, int]]:
    """``(line, size)`` per line of ``stream`` as it arrives; a line longer than ``limit`` bytes
    comes as ``(b"", its size)`` after it was read past (its bytes are not kept)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line, len(line)
            continue
        size = len(line)
        while True:
            more = stream.readline(limit)
            size += len(more)
            if not more or more.endswith(b"\n"):
                break
        yield b"", size


def _parse_alone(line: bytes) -> Any:
    text = line.strip(_BLANK)
    if text.startswith(_BOM):
        text = text[3:]
    if text[:1] not in (b"{", b"["):
        return _UNPARSED
    try:
        return json.loads(text)
    except (ValueError, RecursionError):   # UnicodeDecodeError is a ValueError
        return _UNPARSED


def frames(lines: Iterable[tuple[bytes, int]], *, max_document_bytes: int) -> Iterator[Unit]:
    """The units of a stream of ``bounded_lines`` (see the module docstring); line numbers are
    1-based.  A gathered document larger than ``max_document_bytes`` is given up as bad lines."""
    mode = "start"            # start | lines | document | text
    emitted = False
    held: list[tuple[int, bytes]] = []
    held_bytes = 0
    number = 0

    def release_as_lines() -> Iterator[Unit]:
        nonlocal held_bytes
        for n, raw in held:
            if raw.strip(_BLANK):
                yield Unit("line", n, raw)
        held.clear()
        held_bytes = 0

    for line, size in lines:
        number += 1
        emitted = emitted or mode != "start" or bool(size and not line)
        if not line and size:
            if mode == "text":
                held.append((number, b""))
            yield Unit("too_long", number, b"", size)
            continue
        if mode == "text":
            held.append((number, line))
            continue
        if mode == "lines":
            if line.strip(_BLANK):
                yield Unit("line", number, line, _parse_alone(line))
            continue
        if mode == "start":
            head = line.lstrip(_BLANK)
            if head.startswith(_BOM):
                head = head[3:].lstrip(_BLANK)
            if not head:
                held.append((number, line))      # blank lines before the first record
                continue
            value = _parse_alone(line)
            if value is not _UNPARSED:
                held.clear()
                mode = "lines"
                yield Unit("line", number, line, value)
            elif head[:1] in (b"{", b"["):
                held = [(number, line)]
                held_bytes = len(line)
                mode = "document"
            else:
                held.append((number, line))
                mode = "text"
            continue
        # mode == "document"
        if line[:1] in (b"{", b"[") and (value := _parse_alone(line)) is not _UNPARSED:
            yield from release_as_lines()
            mode = "lines"
            yield Unit("line", number, line, value)
            continue
        held.append((number, line))
        held_bytes += len(line)
        if line[:1] in (b"}", b"]"):
            raw = b"".join(r for _, r in held)
            try:
                value = json.loads(raw)
            except (ValueError, RecursionError):
                continue
            yield Unit("document", held[0][0], raw, value)
            held, held_bytes, mode = [], 0, "start"
        elif held_bytes > max_document_bytes:
            yield from release_as_lines()
            mode = "lines"

    if mode == "text" or (mode == "start" and not emitted):
        yield Unit("text", 1, b"".join(r for _, r in held))
    elif mode == "document":
        raw = b"".join(r for _, r in held)
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            yield from release_as_lines()
        else:
            yield Unit("document", held[0][0], raw, value)
