"""Aliases within an article: which strings may name the same thing, and which alias pairs the
text states.

Pure string logic (no spaCy at run time): acronyms and the initials they spell, blended
nicknames ("JeLo" of "Jenna Lorvik"), spelling variants of one long word, a small generic
table of universally common abbreviations, and the alias pairs an article writes out
(parenthesised acronyms, "also known as", "an acronym for").
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from rapidfuzz.distance import OSA

from services import lexicon
from services.common.doc_text import text_of
from services.entities.canonical import EDGE_PUNCT, HYPHENS_RE
from services.entities.tables import table

if TYPE_CHECKING:  # annotations only: string logic, no spaCy at run time
    from spacy.tokens import Doc

    from services.entities.candidates import Candidate

__all__ = ["COMMON_ABBREVIATIONS", "SIMILAR_MIN_LEN", "AliasPair", "initials", "is_acronym", "nickname_aliases",
           "nickname_at", "nickname_parts", "similar_words", "text_aliases"]

#: Words ignored when taking the initials of a long form.
_INITIAL_SKIP = lexicon.words("initial_skip")
#: Generic, universally common abbreviations (not story-specific names):
#: the key of the abbreviation -> the long form it always stands for.
COMMON_ABBREVIATIONS = table("common_abbreviations")
_ALIAS_GLUE_RE = re.compile(
    r"^\s*,?\s*\(?\s*(?:also\s+known\s+as|aka|a\.k\.a\.?|officially(?:\s+known\s+as|\s+called)?|"
    r"formerly(?:\s+known\s+as)?|better\s+known\s+as)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ACRONYM_FOR_RE = re.compile(r"\b(?:an?\s+)?(?:acronym|abbreviation|short)\s+for\s+(?:the\s+)?$", re.IGNORECASE)


# ----------------------------------------------------------------- what may be an alias
def is_acronym(text: str) -> bool:
    """``"FMB"``, ``"U.S."``, ``"ABCD"``: 2-6 capitals, optionally with periods."""
    letters = text.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def initials(name: str) -> str:
    """Initials of the capitalised words of a long form ("Brenton Press" -> "BP").

    An abbreviation inside the long form gives all its letters: "U.K. Border
    Agency" -> "UKBA".
    """
    words = HYPHENS_RE.sub(" ", name).split()
    out = []
    for word in words:
        w = word.strip(EDGE_PUNCT + ".")
        if not w or w.casefold() in _INITIAL_SKIP:
            continue
        if "." in w and is_acronym(w + "."):
            out.append(w.replace(".", ""))
        elif w[0].isupper():
            out.append(w[0])
    return "".join(out)


_NICK_PARTS_RE = re.compile(r"^([A-Z][a-z]*)[-.]?([A-Z][a-z]*)$")


def nickname_parts(word: str) -> tuple[str, str] | None:
    """The two parts of a blended nickname: "JeLo" -> ("Je", "Lo"), "M-Tev", "K.Ro", "DaVan".
    Two capitalised parts, at least 3 letters, one part at least 2; else None."""
    m = _NICK_PARTS_RE.match(word)
    if m is None:
        return None
    a, b = m.groups()
    if len(a) + len(b) < 3 or max(len(a), len(b)) < 2:
        return None
    return a, b


def nickname_at(nick: str, words: list[str]) -> int | None:
    """Index i where the blended nickname ``nick`` is made of the starts of ``words[i]`` and
    ``words[i + 1]`` ("JeLo" in ["Jenna", "Lorvik", "Checks"] -> 0), or None.  Each part must
    be a proper start of its word, so a plain name is not a nickname of itself."""
    parts = nickname_parts(nick)
    if parts is None:
        return None
    a, b = (p.casefold() for p in parts)
    for i in range(len(words) - 1):
        first, last = words[i].casefold(), words[i + 1].casefold()
        if first.startswith(a) and last.startswith(b) and (len(a) < len(first) or len(b) < len(last)):
            return i
    return None


SIMILAR_MIN_LEN = 6


def similar_words(a: str, b: str) -> bool:
    """Two spellings of one long word: same first letter, one edit apart (two for 10+ letters).

    An edit is an insertion, deletion, substitution or swap of adjacent
    letters (the optimal string alignment distance, each substring edited at
    most once): "Nowitzky" ~ "Nowitzki", "Abdurahman" ~ "Abdurrahmann".  Words
    under six letters never match ("Mark" / "Mary", "Daniel" / "Denial").
    """
    if a == b:
        return True
    shortest = min(len(a), len(b))
    if shortest < SIMILAR_MIN_LEN or a[0] != b[0] or not (a.isalpha() and b.isalpha()):
        return False
    limit = 2 if shortest >= 10 else 1
    if abs(len(a) - len(b)) > limit:
        return False
    return OSA.distance(a, b, score_cutoff=limit) <= limit


# ----------------------------------------------------------------- alias pairs of an article
class AliasPair(NamedTuple):
    """Two surfaces of one article that name the same thing: the short form and the long one."""

    short: str
    long: str


def nickname_aliases(cands: list[Candidate]) -> list[AliasPair]:
    """(nickname, name) pairs: a one-word person name blended from the starts of a two-word
    person name of the same article ("JeLo" / "Jenna Lorvik", "M-Tev" / "Marco Teval")."""
    names = {c.text for c in cands if c.label == "PERSON" and len(c.text.split()) == 2}
    return [AliasPair(c.text, name) for c in cands if c.label == "PERSON" and nickname_parts(c.text)
            for name in sorted(names) if nickname_at(c.text, name.split()) == 0]


def text_aliases(doc: Doc, cands: list[Candidate]) -> list[AliasPair]:
    """(short, long) alias pairs stated in the text.

    * ``Long Name (LN)`` -- a parenthesised name right after another;
    * ``A, also known as B`` / ``officially B`` / ``formerly B``;
    * ``ABC ... an acronym for Long Name`` -- the nearest acronym before it
      in the same sentence.
    """
    text = text_of(doc)
    pairs = []
    for prev, cur in zip(cands, cands[1:]):
        between = text[prev.end:cur.start]
        if len(between) > 40:
            continue
        if re.fullmatch(r"\s*\(\s*", between) and text[cur.end:cur.end + 2].strip().startswith(")"):
            pairs.append(AliasPair(cur.text, prev.text))
        elif _ALIAS_GLUE_RE.match(between):
            pairs.append(AliasPair(prev.text, cur.text))
        elif re.fullmatch(r"\s*,?\s*or\s+", between) and is_acronym(cur.text):
            pairs.append(AliasPair(cur.text, prev.text))
    for i, cur in enumerate(cands):
        sent_start = doc[cur.tok_start].sent.start_char
        before = text[max(sent_start, cur.start - 40):cur.start]
        if not _ACRONYM_FOR_RE.search(before):
            continue
        for prev in reversed(cands[:i]):
            if prev.start < sent_start:
                break
            if is_acronym(prev.text):
                pairs.append(AliasPair(prev.text, cur.text))
                break
    return pairs
