"""A deterministic corpus of hostile input (fixed seed): bad messages and tricky
but valid articles, as raw ``articles`` messages and as producer input files.

Every item says what must happen to it: ``dead`` (dead-lettered with its
original bytes), ``valid`` (processed into a story) or ``either`` (a lone UTF-16
surrogate: refusing or processing it are both fine, crashing is not).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, Span
from services.common.codec import article_key, encode
from services.producer.clean import content_hash

SEED = 20240601
MAX_BODY = 20_000

TOPICS = [
    ("Harbour", "The harbour authority of Port Elsmere closed the northern quay on Tuesday after a crane collapsed onto "
                "a container ship. Harbour master Ingrid Solberg said nobody was hurt."),
    ("Orchestra", "The Vallmark Symphony Orchestra cancelled its winter tour after a fire damaged its rehearsal hall. "
                  "Conductor Paolo Brandt said the musicians were safe."),
    ("Bridge", "Engineers in Caldera City found cracks in the Westgate Bridge during a routine inspection and closed "
               "it to lorries. City engineer Amara Okafor said repairs would take weeks."),
    ("Vaccine", "Health officials in the province of Northmoor began a measles vaccination campaign in schools. "
                "Provincial health minister Leo Varga said turnout had been high."),
    ("Election", "Voters in the town of Kestrel Bay elected Hannah Lindqvist as mayor on Sunday, ending twelve years "
                 "of rule by the Coastal Party. Turnout was 61 percent."),
]


@dataclass
class Item:
    category: str
    expect: str                 # "dead" | "valid" | "either"
    key: bytes | None
    value: bytes | None
    article_id: str | None = None
    title: str | None = None    # for valid items: the title the story must show
    topic: str = "articles"     # the topic it is sent to (the rest: a join half, see extreme_items)


def _article(aid: str, title: str, body: str, **extra) -> dict:
    d = {"schema_version": 1, "article_id": aid, "title": title, "body": body,
         "content_hash": content_hash(title, body), "outlet": "Hostile Wire"}
    d.update(extra)
    return d


def _dump(d) -> bytes:
    return json.dumps(d, ensure_ascii=False).encode("utf-8")


def _news(rng: random.Random, k: int) -> tuple[str, str]:
    topic, body = TOPICS[k % len(TOPICS)]
    return f"{topic} update {k}", body + f" Officials gave update number {k} on {rng.choice(['Monday', 'Friday'])}."


def _valid_payloads(rng: random.Random) -> list[tuple[str, str, str]]:
    """(category, title, body) of tricky but valid articles."""
    out = []
    html = [
        '<html><body><p>{b}</p><script>alert("x")</script></body></html>',
        '<div class="article">{b}<img src=x onerror="alert(1)"></div>',
        '{b} <!-- tracking pixel --> <iframe src="javascript:alert(1)"></iframe> &amp; &lt;b&gt;',
        '<script>document.write("<p>injected</p>")</script>\n{b}\n<style>body{{display:none}}</style>',
        '{b}\n<a href="javascript:void(0)" onclick="steal()">Read more</a> <svg onload=alert(1)>',
    ]
    for i, tpl in enumerate(html):
        t, b = _news(rng, i)
        out.append(("html_script", f"<b>{t}</b><script>x()</script>", tpl.format(b=b)))
    uni = [
        lambda b: "\u200f" + b.replace(" ", " \u200b", 5) + " \u202eevil\u202c",            # RTL marks, zero width
        lambda b: b + " Reactions: 👍🏽 👩‍👩‍👧‍👦 🇳🇴 ❤️\ufe0f 🧑🏿‍🚀",                              # emoji, ZWJ, flags
        lambda b: b.replace("e", "e\u0301", 8) + " Z\u0351\u0352a\u0353l\u0354g\u0355o\u0356.",  # combining marks
        lambda b: "\ufeff" + b + " 北京 東京 서울 القاهرة ירושלים Ελλάδα Москва.",                # scripts, BOM
        lambda b: b + " \u00ad\u2060\u180e\u200c\u200d\u2028 end\u2029 of line.",              # invisible separators
        lambda b: "\u202b" + b + "\u202c \U0001d54f\U0001d550 math \u2062 operators.",          # embedding, astral
    ]
    for i, f in enumerate(uni):
        t, b = _news(rng, i + 10)
        out.append(("unicode_edge", t + " \u200d✓", f(b)))
    unclosed = [
        '{b} "This will never close, said the harbour master, and it goes on and on',
        '{b} \u201cWe were not warned at all, a resident said. Nobody came back.',
        '{b} She said: \u00ab the situation is under control. And then silence.',
        '"{b}',
        "{b} ''It's fine,, he said ' ' and left \" \u201d \u201c.",
    ]
    for i, tpl in enumerate(unclosed):
        t, b = _news(rng, i + 20)
        out.append(("unclosed_quote", t, tpl.format(b=b)))
    return out


def direct_items() -> list[Item]:
    """Raw messages for the ``articles`` topic (invalid and valid mixed, shuffled)."""
    rng = random.Random(SEED)
    items: list[Item] = []
    n = 0

    def dead(cat, value, key=None):
        nonlocal n
        n += 1
        items.append(Item(cat, "dead", key if key is not None else article_key(f"bad-{n:05d}"), value))

    good_title, good_body = _news(rng, 0)
    proto = _dump(_article("proto", good_title, good_body))
    # invalid JSON: truncations and classic syntax errors
    for i in range(140):
        cut = rng.randrange(1, len(proto) - 1)
        v = proto[:cut]
        try:
            json.loads(v)
            continue
        except Exception:
            pass
        dead("invalid_json", v)
    for v in [b"{", b"}", b"[1, 2", b"{'title': 'single quotes'}", b'{"title": "x",}', b'{"a":}', b"NaN-ish",
              b'{"title": "x" "body": "y"}', b"\"unterminated", b"{\"title\": tru}", b"]["]:
        dead("invalid_json", v)
    # wrong types (each field of a valid article replaced)
    wrong = {"title": [5, None, [], {}, True, ""], "body": [123, None, ["a"], {"p": "x"}, False],
             "article_id": [42, None, "", [], "x" * 600], "schema_version": [2, "1", None, 0],
             "content_hash": [5, None, []], "published": ["not a date", "2024-13-45", [2024]],
             "produced_at": ["yesterday", {}], "outlet": [7, ["a"]], "url": [3.5]}
    for i in range(200):
        field = rng.choice(sorted(wrong))
        bad = rng.choice(wrong[field])
        t, b = _news(rng, i)
        d = _article(f"wt-{i}", t, b)
        d[field] = bad
        dead("wrong_type", _dump(d))
    for v in [b"[]", b'"a string"', b"42", b"null", b"true", b"[{\"title\": \"x\"}]"]:
        dead("wrong_type", v)
    for i in range(30):  # unknown field (the schema forbids extras)
        t, b = _news(rng, i)
        dead("wrong_type", _dump(_article(f"ex-{i}", t, b, **{f"extra_{i}": "x"})))
    # missing fields / empty body
    for i in range(80):
        t, b = _news(rng, i)
        d = _article(f"mf-{i}", t, b)
        del d[["body", "title", "content_hash", "article_id"][i % 4]]
        dead("missing_field", _dump(d))
    for i in range(60):
        t, _ = _news(rng, i)
        body = ["", " ", "\n\n", "\t \u00a0", "   \r\n  "][i % 5]
        dead("empty_body", _dump(_article(f"eb-{i}", t, body)))
    # bodies over the size limit (bytes, not characters: multi-byte text crosses it first)
    for i in range(40):
        t, b = _news(rng, i)
        if i % 2:
            body = ("€" * (MAX_BODY // 3 + 1 + i))             # < MAX_BODY chars, > MAX_BODY bytes
        else:
            body = (b + " ") * (MAX_BODY // len(b) + 1 + i)
        assert len(body.encode()) > MAX_BODY
        dead("oversize_body", _dump(_article(f"ob-{i}", t, body)))
    for i, size in enumerate([1_000_000, 3_000_000]):
        dead("oversize_body", _dump(_article(f"obh-{i}", "Huge", "word " * (size // 5))))
    # not UTF-8
    enc_bad = [b"\xe9", b"\xc0\xaf", b"\x80", b"\xed\xa0\x80", b"\xff\xfe", b"\xf8\x88\x80\x80\x80", b"\xc3"]
    for i in range(90):
        t, b = _news(rng, i)
        raw = _dump(_article(f"nu-{i}", t, "BODYMARK " + b))
        v = raw.replace(b"BODYMARK", enc_bad[i % len(enc_bad)] * (1 + i % 3), 1)
        dead("non_utf8", v)
    for i in range(10):
        t, b = _news(rng, i)
        dead("non_utf8", json.dumps(_article(f"u16-{i}", t, b)).encode("utf-16"))
    # binary garbage
    for i in range(150):
        v = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
        dead("binary_garbage", v, key=bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))))
    # empty and null values
    for i in range(5):
        dead("empty_value", b"")
        dead("null_value", None)
    # huge single lines
    dead("huge_line", b"A" * 2_000_000)
    dead("huge_line", b'{"title": "' + b"x" * 3_000_000)

    # tricky but valid articles
    valid = []
    for k, (cat, title, body) in enumerate(_valid_payloads(rng)):
        aid = f"ok-{cat}-{k}"
        valid.append(Item(cat, "valid", article_key(aid), _dump(_article(aid, title, body)), aid, title))
    # a lone surrogate (valid JSON escape, not a Unicode scalar value)
    for k in range(3):
        aid = f"either-surrogate-{k}"
        t, b = _news(rng, 30 + k)
        raw = _dump(_article(aid, t, b + " SURR")).replace(b" SURR", b" \\ud800 x" if k != 1 else b" \\udfff")
        valid.append(Item("lone_surrogate", "either", article_key(aid), raw, aid, t))
    # revisions: the same id with new content later in the stream
    revisions = []
    for k in range(4):
        aid = f"ok-revision-{k}"
        t1, b1 = _news(rng, 40 + k)
        t2 = f"REVISED {t1}"
        b2 = b1 + f" Correction: an earlier version of this story misstated the date (revision {k})."
        valid.append(Item("revision_v1", "superseded", article_key(aid), _dump(_article(aid, t1, b1)), aid, t1))
        revisions.append(Item("revision_v2", "valid", article_key(aid), _dump(_article(aid, t2, b2)), aid, t2))
    rng.shuffle(items)
    # valid articles spread through the invalid ones; revisions after their first version
    out = list(items)
    step = max(1, len(out) // (len(valid) + 1))
    for j, v in enumerate(valid):
        out.insert((j + 1) * step + j, v)
    for v in revisions:
        out.append(v)
    return out


def producer_inputs(rng_seed: int = SEED + 1) -> dict:
    """Files for ``storystream produce``: {"files": {name: bytes}, "stdin": bytes} plus the expected
    outcome of every record: list of (name, line or None, expect, raw bytes, article id, title)."""
    rng = random.Random(rng_seed)
    lines: list[tuple[bytes, str, str | None, str | None]] = []   # (raw line, expect, id, title)

    def rec(d) -> bytes:
        return json.dumps(d, ensure_ascii=False).encode("utf-8")

    for i in range(260):
        t, b = _news(rng, i)
        kind = i % 13
        if kind == 0:
            lines.append((rec({"id": f"p-bad-{i}", "title": t, "body": b})[:-rng.randrange(2, 20)], "dead", None, None))
        elif kind == 1:
            lines.append((rec({"id": f"p-bad-{i}", "title": rng.choice([5, None, [], True]), "body": b}), "dead", None, None))
        elif kind == 2:
            lines.append((rec({"id": f"p-bad-{i}", "title": t}), "dead", None, None))
        elif kind == 3:
            lines.append((rec({"id": f"p-bad-{i}", "title": t, "body": rng.choice(["", "   ", "\n"])}), "dead", None, None))
        elif kind == 4:
            lines.append((rec({"id": f"p-bad-{i}", "title": t, "body": "€" * (MAX_BODY // 3 + 50)}), "dead", None, None))
        elif kind == 5:
            lines.append((rec({"id": f"p-bad-{i}", "title": t, "body": "XX " + b}).replace(b"XX", b"\xe9\xff"), "dead", None, None))
        elif kind == 6:
            garbage = b"\xfe" + bytes(rng.choice([x for x in range(256) if x not in (10, 13)])
                                      for _ in range(rng.randrange(1, 300)))
            lines.append((garbage, "dead", None, None))
        elif kind == 7:
            lines.append((rec({"id": rng.choice([5, "", [], "y" * 600]), "title": t, "body": b}), "dead", None, None))
        elif kind == 8:
            lines.append((rec({"id": f"p-bad-{i}", "title": t, "body": b, "published": "the day after tomorrow"}), "dead", None, None))
        elif kind == 9:
            lines.append((rec([{"id": "in-a-list"}]), "dead", None, None))
        elif kind == 10:
            lines.append((b"[" * 50_000 + b"]" * 50_000, "dead", None, None))
        else:
            lines.append((rec({"id": f"p-ok-{i}", "title": t, "body": b}), "valid", f"p-ok-{i}", t))
    # tricky valid ones and a huge line
    for k, (cat, title, body) in enumerate(_valid_payloads(rng)):
        aid = f"p-ok-{cat}-{k}"
        lines.insert(rng.randrange(len(lines)), (rec({"id": aid, "title": title, "body": body, "outlet": "P"}), "valid", aid, title))
    lines.insert(rng.randrange(len(lines)), (b"Z" * 3_000_000, "dead", None, None))
    lines.insert(rng.randrange(len(lines)), (rec({"id": "p-huge", "title": "Huge", "body": "word " * 800_000}), "dead", None, None))
    # a revision: same id, new content, later in the file
    t, b = _news(rng, 99)
    lines.insert(5, (rec({"id": "p-ok-revision", "title": t, "body": b}), "superseded", "p-ok-revision", t))
    lines.append((rec({"id": "p-ok-revision", "title": "REVISED " + t, "body": b + " Corrected."}), "valid",
                  "p-ok-revision", "REVISED " + t))
    jsonl = b"\n".join(raw for raw, *_ in lines) + b"\n"
    expected = [("hostile.jsonl", n, expect, raw, aid, title)
                for n, (raw, expect, aid, title) in enumerate(lines, start=1)]

    # stdin: JSON lines with a few bad ones
    std = []
    for i in range(40):
        t, b = _news(rng, 200 + i)
        if i % 4 == 0:
            std.append((rec({"id": f"s-ok-{i}", "title": t, "body": b}), "valid", f"s-ok-{i}", t))
        elif i % 4 == 1:
            std.append((b"{not json " + str(i).encode(), "dead", None, None))
        elif i % 4 == 2:
            std.append((rec({"id": f"s-bad-{i}", "title": t, "body": 7}), "dead", None, None))
        else:
            std.append((b"\xfe\xff garbage \x00\x01" + bytes([i]), "dead", None, None))
    stdin = b"\n".join(raw for raw, *_ in std) + b"\n"
    expected += [("<stdin>", n, expect, raw, aid, title) for n, (raw, expect, aid, title) in enumerate(std, start=1)]

    # .txt files: empty, title only, not UTF-8, and a valid one with HTML
    files = {"hostile.jsonl": jsonl}
    t, b = _news(rng, 300)
    txt = {
        "empty.txt": (b"", "dead", None, None),
        "title-only.txt": (b"Just a title\n\n", "dead", None, None),
        "latin1.txt": (("Caf\u00e9 title\n" + b).encode("latin-1"), "dead", None, None),
        "ok-html.txt": (f"{t}\n<p>{b}</p>\n<script>alert('x')</script>\n".encode(), "valid", "ok-html.txt", t),
    }
    for name, (raw, expect, aid, title) in txt.items():
        files[name] = raw
        expected.append((name, None, expect, raw, aid, title))
    return {"files": files, "stdin": stdin, "expected": expected}


def deep_nesting_items() -> list[Item]:
    """Deeply nested JSON (syntactically valid, nested past any parser's recursion limit),
    each followed by a valid sentinel article that must still be processed."""
    out = []
    values = [b"[" * 100_000 + b"]" * 100_000, b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
              b"[" * 1_000 + b"]" * 1_000]
    for k, v in enumerate(values):
        out.append(Item("deep_nesting", "dead", article_key(f"deep-{k}"), v))
        aid = f"ok-after-deep-{k}"
        t, b = _news(random.Random(k), 50 + k)
        out.append(Item("sentinel", "valid", article_key(aid), _dump(_article(aid, t, b)), aid, t))
    return out


# ---------------------------------------------------------------- issue 19: dates, sizes, characters
FAR_DATES = ["2099-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1850-06-01T00:00:00Z"]
# impossible in the calendar (or the clock): in each date field an article has
IMPOSSIBLE_DATES = ["2031-02-30T10:00:00Z", "2031-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
                    "2024-01-01T24:00:01Z", "2031-02-30", "2031-00-10T00:00:00Z"]
ENTITY_COUNT = 10_000


def _names(k: int) -> str:
    """An invented two-word name no other item uses."""
    a, b = divmod(k, 26 * 26)
    return f"Zq{chr(97 + a % 26)}{chr(97 + (k // 26) % 26)}lor Vex{chr(97 + k % 26)}{b}"


def extreme_items() -> list[Item]:
    """Far-future and far-past dates (valid: processed, the date kept but not the story's clock),
    impossible dates in every date field (dead), a 2,000,000-character body and a 1 MB body
    without whitespace (dead: over the size limit), NUL bytes, bidi overrides and zero-width
    characters in names (valid), and an article with 10,000 entities, sent as its two join halves
    to the extraction topics (valid).  Each valid one is followed in the stream by nothing
    special: the other valid items of the run must still be processed as before."""
    rng = random.Random(SEED + 19)
    out: list[Item] = []

    def valid(aid: str, title: str, body: str, **extra):
        out.append(Item("extreme_valid", "valid", article_key(aid), _dump(_article(aid, title, body, **extra)), aid, title))

    def dead(aid: str, value: bytes, category: str):
        out.append(Item(category, "dead", article_key(aid), value))

    for k, when in enumerate(FAR_DATES):
        t, b = _news(rng, 60 + k)
        valid(f"ok-far-published-{k}", t, b, published=when)
    t, b = _news(rng, 70)
    valid("ok-far-produced-at", t, b, produced_at="2099-01-01T00:00:00Z")
    for k, when in enumerate(IMPOSSIBLE_DATES):
        for field in ("published", "produced_at"):
            t, b = _news(rng, 80 + k)
            dead(f"bad-date-{field}-{k}", _dump(_article(f"bad-date-{field}-{k}", t, b, **{field: when})),
                 "impossible_date")
    t, _ = _news(rng, 90)
    dead("huge-2m", _dump(_article("huge-2m", t, ("Officials met again. " * 100_000)[:2_000_000])), "oversize_body")
    dead("nows-1mb", _dump(_article("nows-1mb", t, "x" * 1_048_576)), "oversize_body")
    t, b = _news(rng, 91)
    valid("ok-nul-bytes", t + "\u0000 (wire)", b.replace(" ", " \u0000", 3) + "\u0000")
    t, b = _news(rng, 92)
    name = b.split(" said")[0].split()[-2:]          # the topic's speaker, e.g. ["Ingrid", "Solberg"]
    spoof = " ".join(name)
    valid("ok-bidi-names", t + " \u202e" + spoof[::-1] + "\u202c",
          b.replace(spoof, "\u202e" + name[1][::-1] + " " + name[0][::-1] + "\u202c", 1)
          + f" {name[0]}\u200b {name[1]}\u200d and \u2066{spoof}\u2069 spoke.\u200f")
    # 10,000 entities in one article: its join halves straight to the extraction topics (an
    # article naming so many would be over this run's body limit)
    aid = "ok-10k-entities"
    title = "Ten thousand named in one register"
    body = "The register names everyone."
    meta = ArticleMeta(article_id=aid, title=title, outlet="Hostile Wire", content_hash=content_hash(title, body))
    ents = [EntityMention(name=_names(k), type="PERSON" if k % 2 else "ORG",
                          mentions=[Span(text=_names(k), start=0, end=len(_names(k)))]) for k in range(ENTITY_COUNT)]
    key = article_key(aid)
    out.append(Item("many_entities", "valid", key, encode(ArticleEntities(
        article=meta, entities=ents, lead=body, terms={"register": 3, "name": 2}, tokens=5)), aid, title,
        topic="article-entities"))
    out.append(Item("many_entities_quotes", "half", key, encode(ArticleQuotes(article=meta, quotes=[])), aid, title,
                    topic="article-quotes"))
    return out
