"""Reading articles from .txt / .json / .jsonl files, directories and stdin."""
from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from schemas.models import Article
from services.producer.clean import content_hash, content_id
from services.producer.sources import SourceError, read_paths, read_stream

SEEDS = Path(__file__).resolve().parents[3] / "seeds"

BODY = "First paragraph of the story.\n\n“A quote,” she said.\n\nAdvertisement\n\nLast paragraph."
CLEAN_BODY = "First paragraph of the story.\n\n“A quote,” she said.\n\nLast paragraph."


def rec(**kw) -> dict:
    base = {"title": "A title", "body": BODY}
    base.update(kw)
    return base


def run(*paths, **kw) -> list:
    return list(read_paths([str(p) for p in paths], **kw))


def articles(items) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def errors(items) -> list[SourceError]:
    return [i for i in items if isinstance(i, SourceError)]


# ------------------------------------------------------------------------ .txt
def test_txt_article(tmp_path: Path) -> None:
    p = tmp_path / "001_story.txt"
    p.write_text("Skip to main content\n\n  The Headline  \n\n\n" + BODY + "\n\nTags Politics Economy\n", "utf-8")
    (a,) = run(p)
    assert isinstance(a, Article)
    assert a.article_id == "001_story.txt"
    assert a.title == "The Headline"
    assert a.body == CLEAN_BODY
    assert a.outlet is None and a.url is None and a.published is None and a.produced_at is None
    assert a.source == str(p)
    assert a.content_hash == content_hash("The Headline", CLEAN_BODY)


def test_txt_without_body_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "only_title.txt"
    p.write_text("Just a title\n\nAdvertisement\n", "utf-8")
    (e,) = run(p)
    assert isinstance(e, SourceError)
    assert e.source == str(p)
    assert "body is empty" in e.reason
    assert e.raw == p.read_bytes()


def test_empty_txt_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"\n  \n")
    (e,) = run(p)
    assert isinstance(e, SourceError) and "empty" in e.reason


def test_seed_directory() -> None:
    items = run(SEEDS)
    assert errors(items) == []
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert [a.article_id for a in items] == names
    by_id = {a.article_id: a for a in items}
    a0 = by_id[names[0]]
    assert a0.title.startswith("Harris: Meeting between Russian, North Korean leaders")
    assert "Tags " not in a0.body
    a2 = [a for a in items if a.article_id.startswith("002_")][0]
    assert a2.title.startswith("VP Harris says it would be 'huge mistake'")
    assert "supplied by" not in a2.body and "Privacy Policy" not in a2.body
    # ids and hashes are stable across reads
    again = run(SEEDS)
    assert [(a.article_id, a.content_hash) for a in again] == [(a.article_id, a.content_hash) for a in items]


# ------------------------------------------------------------------------ .json
def test_json_single_object(tmp_path: Path) -> None:
    p = tmp_path / "one.json"
    p.write_text(json.dumps(rec(id="x-1", outlet=" Example Times ", url="https://example.com/a",
                                published="2023-09-05T10:00:00Z", extra={"ignored": True})), "utf-8")
    (a,) = run(p)
    assert isinstance(a, Article)
    assert a.article_id == "x-1"
    assert a.outlet == "Example Times"
    assert a.url == "https://example.com/a"
    assert a.published == datetime(2023, 9, 5, 10, tzinfo=timezone.utc)
    assert a.body == CLEAN_BODY
    assert a.source == str(p)


def test_json_list_with_one_bad_object(tmp_path: Path) -> None:
    p = tmp_path / "many.json"
    p.write_text(json.dumps([rec(title="One"), rec(title="Two", body=5), rec(title="Three")], indent=2), "utf-8")
    items = run(p)
    assert [type(i).__name__ for i in items] == ["Article", "SourceError", "Article"]
    assert [a.title for a in articles(items)] == ["One", "Three"]
    (e,) = errors(items)
    text = p.read_text("utf-8")
    line = text[: text.index('"Two"')].count("\n")  # the object starts on the line before its title
    assert e.source == f"{p}:{line}"
    assert e.reason == "field 'body' must be a string, got int"
    assert json.loads(e.raw) == rec(title="Two", body=5)
    # the items' sources carry their own lines
    assert articles(items)[0].source == f"{p}:2"


def test_json_invalid_document(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(b'{"title": "x", "body": }')
    (e,) = run(p)
    assert isinstance(e, SourceError)
    assert e.source == str(p)
    assert e.reason.startswith("invalid JSON: Expecting value")
    assert e.raw == p.read_bytes()


def test_json_id_defaults_to_content_id(tmp_path: Path) -> None:
    p = tmp_path / "noid.json"
    p.write_text(json.dumps(rec()), "utf-8")
    (a,) = run(p)
    assert a.article_id == content_id("A title", CLEAN_BODY)
    assert a.article_id.startswith("a-") and len(a.article_id) == 18
    (b,) = run(p)
    assert b.article_id == a.article_id


# ------------------------------------------------------------------------ .jsonl
def test_jsonl_good_and_bad_records(tmp_path: Path) -> None:
    lines = [
        json.dumps(rec(title="Good one")).encode(),            # 1
        b"",                                                   # 2 blank: skipped
        b'{"title": "x", "body": }',                           # 3 invalid JSON
        json.dumps({"title": "No body"}).encode(),             # 4 missing body
        json.dumps(rec(title=7)).encode(),                     # 5 wrong type
        json.dumps(rec(title="   ")).encode(),                 # 6 empty title
        json.dumps(rec(body="  \n ")).encode(),                # 7 empty body
        json.dumps(rec(body="Advertisement\nREAD MORE")).encode(),  # 8 only boilerplate
        json.dumps(rec(published="next tuesday")).encode(),    # 9 bad date
        '{"title": "Caf\xe9", "body": "x"}'.encode("latin-1"), # 10 not UTF-8
        json.dumps(["not", "an", "object"]).encode(),          # 11 not an object
        json.dumps(rec(id=12)).encode(),                       # 12 id type
        json.dumps(rec(title="Good two", published="2023-09-05")).encode(),  # 13
    ]
    p = tmp_path / "feed.jsonl"
    p.write_bytes(b"\n".join(lines) + b"\n")
    items = run(p)
    assert [a.title for a in articles(items)] == ["Good one", "Good two"]
    assert articles(items)[0].source == f"{p}:1"
    assert articles(items)[1].published == datetime(2023, 9, 5, tzinfo=timezone.utc)
    got = {e.source: e for e in errors(items)}
    expected = {
        3: "invalid JSON: Expecting value (col 24)",
        4: "missing field 'body'",
        5: "field 'title' must be a string, got int",
        6: "title is empty",
        7: "body is empty",
        8: "body is empty after cleaning",
        9: "field 'published' is not an ISO 8601 or RFC 822 date: 'next tuesday'",
        10: "invalid UTF-8: byte 0xe9 at offset 14",
        11: "expected a JSON object, got array",
        12: "field 'id' must be a string, got int",
    }
    assert {s: e.reason for s, e in got.items()} == {f"{p}:{n}": r for n, r in expected.items()}
    for n in expected:
        e = got[f"{p}:{n}"]
        assert e.raw == lines[n - 1]
        assert e.line() == f"error: {p}:{n}: {expected[n]}"
        assert "\n" not in e.line()


def test_oversize_body(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    p.write_text(json.dumps(rec(body="é" * 60)) + "\n" + json.dumps(rec(body="short body")) + "\n", "utf-8")
    items = run(p, max_body_bytes=100)
    assert isinstance(items[0], SourceError)
    assert items[0].reason == "body is too large: 120 bytes (max 100)"
    assert items[0].source == f"{p}:1"
    assert isinstance(items[1], Article)


def test_oversize_txt_body(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("Title\n" + "x" * 200, "utf-8")
    (e,) = run(p, max_body_bytes=100)
    assert isinstance(e, SourceError) and "too large" in e.reason


def test_non_utf8_txt(tmp_path: Path) -> None:
    p = tmp_path / "latin.txt"
    p.write_bytes("Titre\nCaf\xe9 cr\xe8me.".encode("latin-1"))
    (e,) = run(p)
    assert isinstance(e, SourceError)
    assert e.source == str(p)
    assert e.reason.startswith("invalid UTF-8")


# ------------------------------------------------------------------------ directories & paths
def test_directory_recursive_sorted_known_suffixes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Two\nBody two.", "utf-8")
    (tmp_path / "a.jsonl").write_text(json.dumps(rec(title="A")) + "\n", "utf-8")
    (tmp_path / "c.json").write_text(json.dumps([rec(title="C")]), "utf-8")
    (tmp_path / "notes.md").write_text("# not an article", "utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden\nBody.", "utf-8")
    items = run(tmp_path)
    assert errors(items) == []
    assert [a.title for a in items] == ["A", "Two", "C"]


def test_txt_ids_are_unique_per_path_under_a_directory(tmp_path: Path) -> None:
    """The same file name in two folders is two articles, not one article and its revision."""
    for folder, title in (("a", "Bridge closed"), ("b", "Harbour reopened")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "1.txt").write_text(f"{title}\n\nThe {title.lower()} on Monday.", "utf-8")
    (tmp_path / "top.txt").write_text("Top\n\nA body at the top.", "utf-8")
    items = run(tmp_path)
    assert errors(items) == []
    assert {a.article_id: a.title for a in items} == {"a/1.txt": "Bridge closed", "b/1.txt": "Harbour reopened",
                                                      "top.txt": "Top"}
    # the ids do not depend on how the directory was named (relative or absolute, a trailing /)
    assert [a.article_id for a in run(str(tmp_path) + "/")] == [a.article_id for a in items]


def test_missing_path_and_unsupported_file(tmp_path: Path) -> None:
    md = tmp_path / "x.md"
    md.write_text("hello", "utf-8")
    e1, e2 = run(tmp_path / "nope.txt", md)
    assert e1.reason == "no such file or directory" and e1.source.endswith("nope.txt")
    assert "unsupported file type" in e2.reason


# ------------------------------------------------------------------------ stdin
def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, (json.dumps(rec(title="S1")) + "\nnot json\n" + json.dumps(rec(title="S2")) + "\n").encode())
    items = list(read_paths(["-"]))
    assert [type(i).__name__ for i in items] == ["Article", "SourceError", "Article"]
    assert items[0].source == "<stdin>:1"
    assert items[1].source == "<stdin>:2" and items[1].reason.startswith("invalid JSON")
    assert items[1].line().startswith("error: <stdin>:2: invalid JSON")


def test_stdin_pretty_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, json.dumps([rec(title="P1"), rec(title="P2")], indent=2).encode())
    items = list(read_paths(["-"]))
    assert [a.title for a in items] == ["P1", "P2"]
    assert items[0].source == "<stdin>:2"


def test_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, ("Headline from stdin\n\n" + BODY).encode())
    (a,) = list(read_paths(["-"]))
    assert isinstance(a, Article)
    assert a.title == "Headline from stdin"
    assert a.body == CLEAN_BODY
    assert a.article_id == content_id("Headline from stdin", CLEAN_BODY)
    assert a.source == "<stdin>"


def test_read_stream_accepts_str() -> None:
    (a,) = list(read_stream('{"title": "T", "body": "B."}', "feed"))
    assert a.title == "T" and a.source == "feed:1"
    (e,) = list(read_stream("", "feed"))
    assert isinstance(e, SourceError)


def test_source_error_line_is_one_line() -> None:
    e = SourceError("f.jsonl:3", "bad\nthing", b"raw")
    assert e.line() == "error: f.jsonl:3: bad thing"
