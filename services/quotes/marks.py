"""Find quoted stretches in raw text by their quote marks (no NLP).

Handles curly and straight double quotes, guillemets, TeX-style ``...''
pairs, single quotes (curly, straight and backtick openers) that are not
apostrophes, imperfect spacing around marks, and the newspaper convention of a
multi-paragraph quote (a paragraph that opens a quote without closing it; the
next paragraph re-opens it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_OPEN = {"“", "«", "„", "``"}
DOUBLE_CLOSE = {"”", "»", "''"}
DOUBLE_EITHER = {'"'}
SINGLE_OPEN = {"‘", "`", "‹"}
SINGLE_CLOSE = {"’", "›"}
SINGLE_EITHER = {"'"}

_DOUBLE_RE = re.compile(r"``|''|[\"“”«»„]")
_SINGLE_RE = re.compile(r"[‘’'`‹›]")
_OPENER_BEFORE = set("([{—–-/") | DOUBLE_OPEN | {'"'}
_PUNCT_AFTER = set(",.;:!?)]}…")
_SENT_END = (".", "?", "!", "…", '."', ".”")
# elisions such as 'em, 'til, 'cause, '90s that start with an apostrophe
_ELISION_RE = re.compile(r"(?:\d0s|\d\d\b|em\b|til\b|cause\b|bout\b|n\b|tis\b|twas\b)", re.I)


@dataclass
class RawQuote:
    """A quoted stretch: ``start``/``end`` delimit the text between the marks."""

    start: int
    end: int
    open_start: int
    close_end: int
    paragraph: int
    double: bool = True
    unclosed: bool = False
    merged_open: bool = False  # opened by a mark that reads like a stray closing mark


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the non-empty lines of ``text``."""
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _direction(text: str, pos: int, length: int, lo: int, hi: int) -> str:
    """'open', 'close' or '?' for a mark, judged by the characters around it."""
    prev = text[pos - 1] if pos > lo else " "
    nxt = text[pos + length] if pos + length < hi else " "
    prev_space = prev.isspace() or prev in _OPENER_BEFORE
    next_space = nxt.isspace()
    next_punct = nxt in _PUNCT_AFTER
    if prev_space and not next_space and not next_punct:
        return "open"
    if not prev_space and (next_space or next_punct):
        return "close"
    if prev_space and next_punct:
        return "close"
    return "?"


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _make(text, o_pos, o_len, c_pos, c_end, para, double, unclosed=False, merged=False):
    start, end = _strip(text, o_pos + o_len, c_pos)
    return RawQuote(start, end, o_pos, c_end, para, double, unclosed, merged)


def _double_quotes(text: str, lo: int, hi: int, para: int, prev_open: bool) -> list[RawQuote]:
    """Pair double marks within one paragraph ``text[lo:hi]``."""
    marks = [(m.start(), len(m.group()), m.group()) for m in _DOUBLE_RE.finditer(text, lo, hi)]
    quotes: list[RawQuote] = []
    opened = None  # (pos, len, merged)
    for k, (pos, length, glyph) in enumerate(marks):
        d = _direction(text, pos, length, lo, hi)
        if d == "?":
            d = "open" if glyph in DOUBLE_OPEN else "close" if glyph in DOUBLE_CLOSE else "?"
        if opened is None:
            if d in ("open", "?"):
                opened = (pos, length, False)
            elif k == 0 and prev_open and text[lo:pos].strip():
                # the paragraph continues a quote without re-opening it
                quotes.append(_make(text, lo, 0, pos, pos + length, para, True, merged=True))
            elif k + 1 < len(marks) and text[pos + length: pos + length + 1] == " " \
                    and text[lo:pos].rstrip().endswith(_SENT_END):
                # "... end of sentence." She said ..." -- opening mark glued to the sentence
                opened = (pos, length, True)
        else:
            o_pos, o_len, merged = opened
            if d == "open" and text[o_pos + o_len:pos].rstrip().endswith(_SENT_END) \
                    and text[pos - 1:pos].isspace():
                # a new paragraph of the same speech whose line break was lost
                end = pos
                quotes.append(_make(text, o_pos, o_len, end, end, para, True, unclosed=True, merged=merged))
                opened = (pos, length, False)
                continue
            quotes.append(_make(text, o_pos, o_len, pos, pos + length, para, True, merged=merged))
            opened = None
    if opened is not None:
        o_pos, o_len, merged = opened
        quotes.append(_make(text, o_pos, o_len, hi, hi, para, True, unclosed=True, merged=merged))
    return [q for q in quotes if q.end > q.start]


def _single_kind(text: str, pos: int, lo: int, hi: int) -> str | None:
    """'open', 'close' or None (an apostrophe) for a single quote mark."""
    glyph = text[pos]
    prev = text[pos - 1] if pos > lo else " "
    nxt = text[pos + 1] if pos + 1 < hi else " "
    if prev.isalnum() and nxt.isalnum():
        return None  # it's, Anna's, rock'n'roll
    can_open = (prev.isspace() or prev in _OPENER_BEFORE or prev in "“\"") and not nxt.isspace() \
        and nxt not in _PUNCT_AFTER and not _ELISION_RE.match(text, pos + 1)
    can_close = not prev.isspace() and (nxt.isspace() or nxt in _PUNCT_AFTER or nxt in "”\"")
    if glyph in SINGLE_OPEN:
        return "open" if can_open or not can_close else None
    if glyph in SINGLE_CLOSE:
        return "close" if can_close else ("open" if can_open and glyph != "’" else None)
    return "open" if can_open else "close" if can_close else None


def _single_quotes(text: str, lo: int, hi: int, para: int, blocked: list[tuple[int, int]]) -> list[RawQuote]:
    """Pair single marks within ``text[lo:hi]`` outside ``blocked`` (double-quoted) ranges."""
    quotes: list[RawQuote] = []
    opened = None
    for m in _SINGLE_RE.finditer(text, lo, hi):
        pos = m.start()
        if any(a <= pos < b for a, b in blocked):
            continue
        kind = _single_kind(text, pos, lo, hi)
        if kind == "open":
            opened = pos
        elif kind == "close" and opened is not None:
            if any(opened < a < pos for a, _ in blocked):
                opened = None
                continue
            q = _make(text, opened, 1, pos, pos + 1, para, False)
            if q.end > q.start:
                quotes.append(q)
            opened = None
    return quotes


def find_quotes(text: str, singles: bool = True) -> list[RawQuote]:
    """All quoted stretches of ``text`` in order."""
    found: list[RawQuote] = []
    prev_open = False
    for para, (lo, hi) in enumerate(paragraphs(text)):
        doubles = _double_quotes(text, lo, hi, para, prev_open)
        prev_open = bool(doubles) and doubles[-1].unclosed
        found.extend(doubles)
        if singles:
            blocked = [(q.open_start, q.close_end) for q in doubles]
            found.extend(_single_quotes(text, lo, hi, para, blocked))
    found.sort(key=lambda q: q.start)
    return found
