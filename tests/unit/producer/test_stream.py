"""Framing a stream into records as its lines arrive (stdin pipes, growing files)."""
from __future__ import annotations

import io
import json
import os
import threading

from schemas.models import Article
from services.producer.sources import SourceError, read_stream_lines
from services.producer.stream import bounded_lines, frames


def rec(title: str, **extra) -> dict:
    return {"title": title, "body": f"{title} happened on Tuesday, officials said.", **extra}


def items_of(data: bytes, **kw) -> list:
    return list(read_stream_lines(io.BytesIO(data), "<stdin>", **kw))


def test_each_record_is_yielded_when_its_line_arrives_not_when_the_pipe_closes():
    r, w = os.pipe()
    reader = read_stream_lines(os.fdopen(r, "rb"), "<stdin>")
    writer = os.fdopen(w, "wb")
    writer.write((json.dumps(rec("First")) + "\n").encode())
    writer.flush()
    got: list = []
    t = threading.Thread(target=lambda: got.append(next(reader)))
    t.start()
    t.join(5)
    assert not t.is_alive(), "the first record must come while the pipe is still open"
    assert isinstance(got[0], Article) and got[0].title == "First" and got[0].source == "<stdin>:1"
    writer.write(b"not json\n" + (json.dumps(rec("Third")) + "\n").encode())
    writer.close()
    rest = list(reader)
    assert isinstance(rest[0], SourceError) and rest[0].source == "<stdin>:2"
    assert rest[1].title == "Third" and rest[1].source == "<stdin>:3"


def test_pretty_printed_documents_one_after_another():
    data = (json.dumps(rec("P1"), indent=2) + "\n" + json.dumps([rec("P2"), rec("P3", body=7)], indent=2) + "\n").encode()
    got = items_of(data)
    assert [getattr(i, "title", None) for i in got] == ["P1", "P2", None]
    assert got[0].source == "<stdin>:1"
    second_doc_line = len(json.dumps(rec("P1"), indent=2).splitlines()) + 1
    assert got[1].source == f"<stdin>:{second_doc_line + 1}"
    assert isinstance(got[2], SourceError) and "body" in got[2].reason


def test_bad_first_line_then_json_lines_streams_from_the_first_good_line():
    lines = [b"{not json", json.dumps(rec("A")).encode(), json.dumps(rec("B")).encode()]
    units = list(frames(((ln + b"\n", len(ln) + 1) for ln in lines), max_document_bytes=10_000))
    assert [u.kind for u in units] == ["line", "line", "line"]
    got = items_of(b"\n".join(lines) + b"\n")
    assert isinstance(got[0], SourceError) and got[0].source == "<stdin>:1"
    assert [g.title for g in got[1:]] == ["A", "B"]


def test_a_line_of_a_json_list_is_several_records():
    got = items_of((json.dumps([rec("L1"), rec("L2")]) + "\n").encode())
    assert [g.title for g in got] == ["L1", "L2"] and {g.source for g in got} == {"<stdin>:1"}


def test_unclosed_document_at_the_end_is_reported_line_by_line():
    got = items_of(b'{\n  "title": "x",\n')
    assert got and all(isinstance(g, SourceError) for g in got)
    assert got[0].source == "<stdin>:1"


def test_text_article_and_empty_stream():
    (a,) = items_of(b"\n\nA headline\n\nThe body of the story, at length.\n")
    assert isinstance(a, Article) and a.title == "A headline" and a.source == "<stdin>"
    (e,) = items_of(b"")
    assert isinstance(e, SourceError) and "empty" in e.reason


def test_a_line_without_end_costs_bounded_memory_and_is_reported():
    limit = 1000
    data = b"x" * 50_000 + b"\n" + b"short\n"
    assert list(bounded_lines(io.BytesIO(data), limit)) == [(b"", 50_001), (b"short\n", 6)]
    got = items_of(b"Z" * 300_000 + b"\n" + (json.dumps(rec("After")) + "\n").encode(), max_body_bytes=100_000)
    assert isinstance(got[0], SourceError) and "too long" in got[0].reason and got[0].source == "<stdin>:1"
    assert got[1].title == "After"
