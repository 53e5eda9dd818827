"""Person names with a nickname inside: 'Vincent "The Chin" Gigante', "Kimani (Kiki) Gray".

English writes a person's nickname between the forename and the surname, in quote marks or
brackets (a convention of newswire style, not of one story).  The tagger often cuts such a name
at the marks: "Kimani" + "(Kiki) Gray", 'Salvatore' + 'Sammy the Bull" Gravano' (taken for a
title), "Luis Gerardo" alone.  This module finds the pattern and makes it one PERSON candidate;
its canonical key leaves the nickname out (:func:`services.entities.canonical.canonical_key`:
"vincent gigante", the key of the name written without it), and the nickname with the surname
("Kiki Gray", "Jerry Ortiz") is an alias of the full name (:func:`nickname_surname_aliases`).

Reads only text, tags and entity labels (works on docs rebuilt from DocBin bytes).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from services.entities.aliases import AliasPair
from services.entities.candidates import NUMERIC_TYPES
from services.entities.canonical import INNER_NICKNAME_RE

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from services.entities.candidates import Candidate

__all__ = ["NickSpan", "inner_nickname", "nickname_spans", "nickname_surname", "nickname_surname_aliases"]

#: Opening mark -> the closing marks that end the nickname.
_MARKS = {'"': ('"', "”"), "“": ("”", '"'), "‘": ("’",), "'": ("'", "’"), "(": (")",)}
#: Longest nickname, in tokens ("Sammy the Bull", "Tony Ducks"); longer quoted runs are phrases.
_NICK_MAX = 4
#: Words of a forename and of a surname around the nickname ("Luis Gerardo", "Lo Presti").
_SIDE_MAX = 3
_THE = re.compile(r"^the\s+", re.IGNORECASE)


class NickSpan(NamedTuple):
    """Token range [start, end) of a nicknamed name, and the nickname's token range inside it."""

    start: int
    end: int
    nick_start: int
    nick_end: int


def _name_word(tok: Token) -> bool:
    # a proper noun, not a date's ("told Ada Brennor "Good Luck" Monday")
    return tok.is_alpha and tok.is_title and tok.tag_ in ("NNP", "NNPS") and tok.ent_type_ not in NUMERIC_TYPES


def _nick_word(tok: Token) -> bool:
    return tok.is_alpha and (tok.is_title or tok.lower_ == "the")


def nickname_spans(doc: Doc) -> list[NickSpan]:
    """Every ``Forename "Nick" Surname`` of the text that the tagger read as a person at least
    in part: a forename and a surname (proper nouns, on one line) around one to
    :data:`_NICK_MAX` title-case words (or "the") between matching quote marks or brackets,
    with a token of the name inside a PERSON entity.  In text order, not overlapping."""
    out: list[NickSpan] = []
    n = len(doc)
    i = 1
    while i < n - 2:
        closes = _MARKS.get(doc[i].text)
        if closes is None or not _name_word(doc[i - 1]) or "\n" in doc[i - 1].whitespace_:
            i += 1
            continue
        j = i + 1
        while j < n and j - i - 1 < _NICK_MAX and _nick_word(doc[j]) and "\n" not in doc[j].whitespace_:
            j += 1
        if j == i + 1 or j >= n - 1 or doc[j].text not in closes \
                or not (doc[i + 1].text[:1].isupper() or doc[i + 1].lower_ == "the") \
                or not any(doc[k].is_title for k in range(i + 1, j)):
            i += 1
            continue
        start = i - 1
        while start > 0 and i - start < _SIDE_MAX and _name_word(doc[start - 1]) \
                and "\n" not in doc[start - 1].whitespace_ and not doc[start].is_sent_start:
            start -= 1
        end = j + 1
        while end < n and end - j - 1 < _SIDE_MAX and _name_word(doc[end]) and not doc[end].is_sent_start:
            end += 1
        if end == j + 1 or not any(doc[k].ent_type_ == "PERSON" for k in range(start, end)):
            i += 1
            continue
        out.append(NickSpan(start, end, i + 1, j))
        i = end
    return out


def inner_nickname(name: str) -> tuple[str, str, str] | None:
    """``'Vincent "The Chin" Gigante'`` -> ``("Vincent", "The Chin", "Gigante")``: the words before
    the nickname, the nickname and the words after it; None when the name has none."""
    m = INNER_NICKNAME_RE.search(name)
    if m is None:
        return None
    return name[:m.start()], m.group("nick"), name[m.end():]


def nickname_surname(name: str) -> str | None:
    """The nickname with the surname of a nicknamed name, a leading "the" dropped: "Kiki Gray"
    of "Kimani (Kiki) Gray", "Chin Gigante" of 'Vincent "The Chin" Gigante'; None without one."""
    split = inner_nickname(name)
    if split is None:
        return None
    _, nick, surname = split
    return _THE.sub("", nick) + " " + surname


def nickname_surname_aliases(cands: list[Candidate]) -> list[AliasPair]:
    """(nickname and surname, full name) pairs of the article's nicknamed person names:
    ("Kiki Gray", "Kimani (Kiki) Gray"), ("Chin Gigante", 'Vincent "The Chin" Gigante')."""
    return [AliasPair(short, c.text) for c in cands
            if c.label == "PERSON" and (short := nickname_surname(c.text)) is not None]
