"""Reading articles from files, directories and stdin (no Kafka here).

Formats:

* ``.txt`` — one article: the first non-empty, non-boilerplate line is the
  title, the rest (cleaned) is the body; ``article_id`` is the file's path relative to the
  directory argument it was found under (``a/1.txt`` and ``b/1.txt`` are two articles, not
  one revised), or the file name for a file argument.
* ``.json`` — one object or a list of objects.
* ``.jsonl`` — one object per line (blank lines skipped).
* ``-`` — stdin: JSON (lines) when the first non-blank character is ``{`` or
  ``[``, otherwise a single text article.

Record fields: ``title`` and ``body`` (strings, required), ``id``, ``outlet``,
``url``, ``published`` (an ISO 8601 or RFC 822 date or datetime, see
``services.producer.dates``; naive values are taken as UTC), ``authors`` (a string or a list of
strings) and ``language``, all optional; other fields are ignored.

Every problem is reported as a :class:`SourceError` carrying the original bytes
of the record, and reading goes on with the next record.  Sources are
``path:line`` (1-based) for JSON lines and for the items of a JSON list,
``path`` for a ``.txt`` file or a single-object ``.json`` file, and
``<stdin>`` / ``<stdin>:N`` for stdin.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from schemas.models import Article
from services.producer.clean import content_id

from services.producer.records import (DEFAULT_MAX_BODY_BYTES, Item, RecordError, SourceError, decode_text,
                                       read_text_article, record_to_article)
from services.producer.stream import Unit, bounded_lines, frames


__all__ = [
    "SourceError",
    "SUFFIXES",
    "read_paths",
    "read_path",
    "read_stream",
    "read_text_article",
    "read_json_document",
    "read_json_lines",
    "read_stream_lines",
    "read_json_value",
    "record_to_article",
]


SUFFIXES = (".txt", ".json", ".jsonl")
STDIN = "<stdin>"

def _load_json(raw: bytes, *, with_line: bool) -> tuple[str, Any]:
    """The text and the decoded value of ``raw``; RecordError with the reason otherwise."""
    text = decode_text(raw)
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} col {exc.colno}" if with_line else f"col {exc.colno}"
        raise RecordError(f"invalid JSON: {exc.msg} ({where})") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def read_json_document(
    raw: bytes, name: str, *, single_source: Optional[str] = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, first_line: int = 1,
) -> Iterator[Item]:
    """A JSON document: one object, or a list of objects (each item ``name:line``; the
    document's first line is line ``first_line`` of ``name``)."""
    try:
        text, doc = _load_json(raw, with_line=True)
    except RecordError as exc:
        yield SourceError(name, str(exc), raw)
        return

    if not isinstance(doc, list):
        source = single_source or name
        try:
            yield record_to_article(doc, source, max_body_bytes=max_body_bytes)
        except RecordError as exc:
            yield SourceError(source, str(exc), raw)
        return

    # Walk the list again to know where each item starts (for file:line and raw bytes).
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    for item in doc:
        while text[pos] in " \t\r\n,":
            pos += 1
        _, end = decoder.raw_decode(text, pos)
        source = f"{name}:{_line_at(text, pos) + first_line - 1}"
        item_raw = text[pos:end].encode("utf-8")
        pos = end
        try:
            yield record_to_article(item, source, max_body_bytes=max_body_bytes)
        except RecordError as exc:
            yield SourceError(source, str(exc), item_raw)


def read_json_value(value: Any, raw: bytes, source: str, *,
                    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Iterator[Item]:
    """A decoded JSON line: one record, or a list of records (each from ``source``)."""
    for record in value if isinstance(value, list) else [value]:
        try:
            yield record_to_article(record, source, max_body_bytes=max_body_bytes)
        except RecordError as exc:
            item_raw = raw if not isinstance(value, list) else json.dumps(record).encode("utf-8")
            yield SourceError(source, str(exc), item_raw)


def read_json_lines(
    lines: Iterable[bytes], name: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Iterator[Item]:
    """JSON lines: one object per line; a bad line never stops the rest."""
    for number, line in enumerate(lines, start=1):
        yield from _json_line(line, f"{name}:{number}", max_body_bytes=max_body_bytes, lists=False)


def _json_line(line: bytes, source: str, *, max_body_bytes: int, lists: bool) -> Iterator[Item]:
    line = line.rstrip(b"\r\n")
    if not line.strip():
        return
    try:
        _, record = _load_json(line, with_line=False)
    except RecordError as exc:
        yield SourceError(source, str(exc), line)
        return
    if lists and isinstance(record, list):
        yield from read_json_value(record, line, source, max_body_bytes=max_body_bytes)
        return
    try:
        yield record_to_article(record, source, max_body_bytes=max_body_bytes)
    except RecordError as exc:
        yield SourceError(source, str(exc), line)


def read_unit(unit: Unit, name: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Iterator[Item]:
    """The records of one framed unit of a stream (``services.producer.stream``)."""
    source = f"{name}:{unit.first_line}"
    if unit.kind == "too_long":
        yield SourceError(source, f"line is too long: {unit.value} bytes (max {_line_limit(max_body_bytes)})", b"")
    elif unit.kind == "line":
        yield from _json_line(unit.raw, source, max_body_bytes=max_body_bytes, lists=True)
    elif unit.kind == "document":
        yield from read_json_document(unit.raw, name, single_source=source, max_body_bytes=max_body_bytes,
                                      first_line=unit.first_line)
    else:
        yield from read_stream(unit.raw, name, max_body_bytes=max_body_bytes)


def _line_limit(max_body_bytes: int) -> int:
    """Longest line read: a record's body plus room for its other fields and JSON escapes."""
    return 2 * max_body_bytes + 65536


def read_stream_lines(stream, name: str = STDIN, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Iterator[Item]:
    """A binary stream read as its lines arrive (a pipe, ``tail -f``): each record is yielded
    as soon as its line (or its multi-line JSON document) is complete."""
    limit = _line_limit(max_body_bytes)
    for unit in frames(bounded_lines(stream, limit), max_document_bytes=16 * limit):
        yield from read_unit(unit, name, max_body_bytes=max_body_bytes)


def read_stream(
    data: Union[bytes, str], source_name: str = STDIN, *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Iterator[Item]:
    """Auto-detect and read a stream (stdin): JSON / JSON lines, or one text article.

    Text starting (after blanks) with ``{`` or ``[`` is JSON: a whole JSON
    document when it parses as one (for pretty-printed input), JSON lines
    otherwise.  Anything else is one plain-text article.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    head = raw.lstrip(b" \t\r\n")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip(b" \t\r\n")
    if head[:1] not in (b"{", b"["):
        if not head:
            yield SourceError(source_name, "no input: the stream is empty", raw)
            return
        item = read_text_article(raw, source_name, max_body_bytes=max_body_bytes)
        if isinstance(item, Article):
            # no file name to use: the id comes from the content
            item = item.model_copy(update={"article_id": content_id(item.title, item.body)})
        yield item
        return
    try:
        json.loads(decode_text(raw))
        whole = True
    except (RecordError, ValueError, RecursionError):
        whole = False
    if whole:  # one JSON document (possibly pretty-printed over several lines)
        text = decode_text(raw)
        first = _line_at(text, len(text) - len(text.lstrip()))
        yield from read_json_document(raw, source_name, single_source=f"{source_name}:{first}",
                                      max_body_bytes=max_body_bytes)
    else:
        yield from read_json_lines(raw.split(b"\n"), source_name, max_body_bytes=max_body_bytes)


# --------------------------------------------------------------------------- paths
def _iter_dir(root: Path) -> Iterator[Path]:
    """Files with a known suffix under ``root``, recursively, sorted by name (hidden ones skipped)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for fn in filenames:
            if not fn.startswith(".") and fn.lower().endswith(SUFFIXES):
                found.append(Path(dirpath, fn))
    return iter(sorted(found, key=lambda p: p.relative_to(root).parts))


def read_path(path: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Iterator[Item]:
    """One path argument: a file, a directory, or ``-`` for stdin."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode("utf-8"))
        yield from read_stream_lines(stream, STDIN, max_body_bytes=max_body_bytes)
        return
    p = Path(path)
    if p.is_dir():
        for f in _iter_dir(p):
            yield from _read_file(f, max_body_bytes, text_id=f.relative_to(p).as_posix())
        return
    if not p.exists():
        yield SourceError(path, "no such file or directory", b"")
        return
    yield from _read_file(p, max_body_bytes)


def _read_file(p: Path, max_body_bytes: int, text_id: Optional[str] = None) -> Iterator[Item]:
    """``text_id``: the id of a ``.txt`` article (default: the file name)."""
    name = str(p)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        yield SourceError(name, f"unsupported file type {suffix or '(none)'!r}: expected .txt, .json or .jsonl", b"")
        return
    try:
        if suffix == ".jsonl":
            with open(p, "rb") as fh:
                yield from read_json_lines(fh, name, max_body_bytes=max_body_bytes)
            return
        raw = p.read_bytes()
    except OSError as exc:
        yield SourceError(name, f"cannot read: {exc.strerror or exc}", b"")
        return
    if suffix == ".txt":
        yield read_text_article(raw, name, article_id=text_id or p.name, max_body_bytes=max_body_bytes)
    else:
        yield from read_json_document(raw, name, max_body_bytes=max_body_bytes)


def read_paths(paths: list[str], *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Iterator[Item]:
    """Articles and errors from every path, in order."""
    for path in paths:
        yield from read_path(path, max_body_bytes=max_body_bytes)
