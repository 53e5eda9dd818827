"""Gold mentions of ECB+-style records: which name something, the core a prediction must
overlap, and the coarse types both sides are compared in (the scoring rules of
:mod:`services.evaluation.entities`).

*Named gold mentions.*  Only gold mentions that name something count for
recall.  After dropping anything up to a possessive ("Jane Doe's
representative" -> "representative") and leading prepositions ("in
Brenton"), the *head* is the last word before the first preposition, comma
or relative pronoun.  The mention is named when the head is capitalised,
not a pronoun, and -- if it starts a sentence -- is also written capitalised
mid-sentence somewhere in the body.  So "Jane Doe", "the Halden
Recovery Center in Westport", "Bank of Orland" count; "a bank in Brenton",
"Word", "He", "the actress" do not.

*Core.*  The *core* of a gold mention is the run of capitalised words
around its head (connectors "of/the/and/for/&/de" allowed inside): "the
Halden Recovery Center in Westport, Eastland" -> "Halden Recovery
Center".  A predicted mention matches a gold mention when it overlaps the core.

*Types.*  ECB+ types are mapped to PERSON / ORG / LOC / OTHER
(``HUMAN_PART_PER`` -> PERSON, ``HUMAN_PART_ORG`` -> ORG, ``HUMAN_PART_GPE``
and ``LOC_*`` -> LOC, the rest OTHER) and spaCy labels likewise (GPE/LOC/FAC
-> LOC).
"""
from __future__ import annotations

import re

__all__ = ["COARSE_TYPES", "coarse_gold_type", "coarse_pred_type", "gold_core", "is_named"]

COARSE_TYPES = ("PERSON", "ORG", "LOC", "OTHER")
_PRONOUNS = frozenset("""i me my mine he him his she her hers it its we us our they them their
who whom whose which that this these those you your one""".split())
_CONNECTORS = frozenset("of the and for & de du la van von der".split())
_POSSESSIVE_RE = re.compile(r"['’]s?\s")
_WORD_RE = re.compile(r"[\w&][\w&.'’\-]*")


# ----------------------------------------------------------------- types
def coarse_gold_type(ecb_type: str) -> str:
    if ecb_type == "HUMAN_PART_PER":
        return "PERSON"
    if ecb_type == "HUMAN_PART_ORG":
        return "ORG"
    if ecb_type == "HUMAN_PART_GPE" or ecb_type.startswith("LOC"):
        return "LOC"
    return "OTHER"


def coarse_pred_type(label: str) -> str:
    if label == "PERSON":
        return "PERSON"
    if label == "ORG":
        return "ORG"
    if label in ("GPE", "LOC", "FAC"):
        return "LOC"
    return "OTHER"


# ----------------------------------------------------------------- gold mentions
def _name_part(body: str, mention: dict) -> tuple[int, str]:
    """Offset and text of the part after the last possessive ("X's rep" -> "rep")."""
    text = mention["text"]
    start = mention["start"]
    last = None
    for m in _POSSESSIVE_RE.finditer(text):
        last = m
    if last is not None:
        return start + last.end(), text[last.end():]
    return start, text


def _sentence_initial(body: str, pos: int) -> bool:
    before = body[:pos].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?\n:;”\"…"


_HEAD_STOP = frozenset("""in of at from near on for with by to into between who whom which that
where when after before during about outside inside""".split())


def _words(body: str, mention: dict) -> list[tuple[int, int, str]]:
    """(start, end, word) in body offsets of the mention's name part (after any possessive)."""
    start, text = _name_part(body, mention)
    return [(start + m.start(), start + m.end(), m.group()) for m in _WORD_RE.finditer(text)]


def _head_index(body: str, words: list[tuple[int, int, str]]) -> int | None:
    """Index of the head word: the last word before the first preposition, comma or
    relative pronoun (leading prepositions skipped); words starting with a digit are skipped."""
    i = 0
    while i < len(words) and words[i][2].casefold() in _HEAD_STOP:
        i += 1
    head = None
    for j in range(i, len(words)):
        s, _, w = words[j]
        if w.casefold() in _HEAD_STOP or (j > i and "," in body[words[j - 1][1]:s]):
            break
        if w[0].isalpha():
            head = j
    return head


def _used_as_name(body: str, word: str) -> bool:
    """The word occurs capitalised in mid-sentence somewhere in the body."""
    for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", body):
        if not _sentence_initial(body, m.start()):
            return True
    return False


def is_named(body: str, mention: dict) -> bool:
    """A gold mention names something: its head word is capitalised, not a pronoun, and
    (when it starts a sentence) is written capitalised mid-sentence elsewhere in the body.

    "the Halden Recovery Center in Westport" and "Bank of Orland" are named;
    "a bank in Brenton", "the actress", "He", "Jane Doe's representative" are not.
    """
    words = _words(body, mention)
    head = _head_index(body, words)
    if head is None:
        return False
    s, _, w = words[head]
    if not w[0].isupper() or w.casefold() in _PRONOUNS:
        return False
    return not _sentence_initial(body, s) or _used_as_name(body, w)


def gold_core(body: str, mention: dict) -> tuple[int, int]:
    """Char span of the capitalised run around the head word (connectors allowed inside).

    "the Halden Recovery Center in Westport, Eastland" -> "Halden Recovery
    Center"; "Bank of Orland" -> "Bank of Orland".
    """
    words = _words(body, mention)
    head = _head_index(body, words)
    if head is None:
        return mention["start"], mention["end"]
    lo = head
    while lo > 0 and words[lo - 1][2][0].isupper() and words[lo - 1][2].casefold() not in ("the", "a", "an"):
        lo -= 1
    hi, j = head, head + 1
    while j < len(words):
        w = words[j][2]
        if w[0].isupper():
            hi = j
        elif w.casefold() not in _CONNECTORS:
            break
        j += 1
    return words[lo][0], words[hi][1]
