"""Canonical keys: the normalisation of one name (pure string logic, no spaCy).

* :func:`normalise_surface` cleans one surface string (possessives, leading
  article, role words glued to a name, whitespace, stray punctuation).
* :func:`canonical_key` is the matching key shared across articles (casefold,
  hyphens/spaces/periods unified, generic corporate suffixes dropped).  The
  aggregator joins entities of different articles on this key.
"""
from __future__ import annotations

import re
import unicodedata

from services import lexicon
from services.entities.tables import table

__all__ = ["APOS", "EDGE_PUNCT", "HYPHENS_RE", "INNER_NICKNAME_RE", "canonical_key", "normalise_surface",
           "strip_possessive",
           "strip_roles"]

#: Titles and roles that newswire glues in front of names ("President X",
#: "Defense Minister X", "Sen. X").  Generic English, no names.
ROLE_WORDS = lexicon.person_words("role")
#: Corporate designators dropped from matching keys ("Orland Group" ~ "Orland").
_KEY_SUFFIXES = lexicon.words("key_suffixes")
#: British/American spelling variants unified in keys.
_KEY_SPELLING = dict(table("key_spellings"))  # a plain dict: looked up for every key word
_PERSON = "PERSON"
APOS = "'’‘`´"
_POSSESSIVE_RE = re.compile(r"(?:\s?[" + APOS + r"]s|(?<=s)[" + APOS + r"])$", re.IGNORECASE)
_LEADING_ARTICLE_RE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
HYPHENS_RE = re.compile(r"[\-‐‑‒–—―]+")
_SPACES_RE = re.compile(r"\s+")
#: A nickname between the words of a name, in quote marks or brackets (English style for a
#: person's nickname: 'Vincent "The Chin" Gigante', "Kimani (Kiki) Gray"): capitalised, or "the ...".
INNER_NICKNAME_RE = re.compile(
    r"(?<=\w)\s+[\"“‘'(](?P<nick>(?:[Tt]he\s+)?[A-Z][^\"“”‘’'()]{0,40}?)[\"”’')]\s+(?=\w)")
EDGE_PUNCT = " \t\r\n\"“”«»()[]{},;:!?*•|/\\-–—" + APOS


# ----------------------------------------------------------------- one surface
def strip_possessive(text: str) -> str:
    """``"East Veldoria’s"`` -> ``"East Veldoria"``; ``"Dorsk 's"`` -> ``"Dorsk"``; ``"Jones’"`` -> ``"Jones"``."""
    return _POSSESSIVE_RE.sub("", text).rstrip()


def strip_roles(text: str) -> str:
    """Drop role words glued in front of a name, and anything before them.

    ``"Eastland Defense Minister Ivo Saric"`` -> ``"Ivo Saric"``.  At least
    one capitalised word must remain, else the text is returned unchanged.
    """
    words = text.split()
    last_role = -1
    for i, word in enumerate(words[:-1]):
        if _is_role_word(word):
            last_role = i
    rest = words[last_role + 1:]
    if last_role >= 0 and rest and any(w[:1].isupper() for w in rest):
        return " ".join(rest)
    return text


def _is_role_word(word: str) -> bool:
    w = word.casefold().strip(".,")
    return w in ROLE_WORDS


def normalise_surface(text: str, etype: str | None = None) -> str:
    """Clean one surface form for display and matching.

    Collapses whitespace, trims edge punctuation, strips a trailing possessive
    and a leading article, and removes role words glued to the name.  Role
    words are only stripped when ``etype`` is ``None`` or ``"PERSON"`` so that
    "Justice Department" or "General Motors" survive as organisations.
    """
    text = _SPACES_RE.sub(" ", text).strip(EDGE_PUNCT)
    text = strip_possessive(text).strip(EDGE_PUNCT)
    text = _LEADING_ARTICLE_RE.sub("", text)
    if etype is None or etype == _PERSON:
        text = strip_roles(text)
    return text.strip(EDGE_PUNCT)


# ----------------------------------------------------------------- matching key
def canonical_key(name: str) -> str:
    """Matching key used across articles.

    Casefolded; accents dropped; hyphens and spaces unified; periods of
    abbreviations removed (``"U.S."`` == ``"US"``); British spellings unified
    (``"Centre"``, ``"Organisation"``); "Mt", "St", "Ft" before a name read as
    "Mount", "Saint", "Fort"; common transliteration variants of
    long words unified (see :func:`_fold_transliteration`); inner plurals of
    names of four words or more read in the singular; possessive and
    leading article dropped; trailing corporate designators (Inc, Corp, Ltd,
    LLC, Group ...) dropped; a nickname written inside a name left out
    (``'Vincent "The Chin" Gigante'`` == ``"Vincent Gigante"``, see
    :mod:`services.entities.nicknames`).  ``"Park Min-Jae"`` and ``"Park Min Jae"`` give
    the same key.
    """
    name = INNER_NICKNAME_RE.sub(" ", name)
    text = strip_possessive(_SPACES_RE.sub(" ", name).strip(EDGE_PUNCT)).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _LEADING_ARTICLE_RE.sub("", text)
    text = HYPHENS_RE.sub(" ", text).replace(".", "")
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w ]+", "", text)
    words = [_fold_transliteration(_spelling(w)) for w in _expand_place_abbreviations(text.split())]
    while len(words) > 1 and words[-1] in _KEY_SUFFIXES:
        words.pop()
    if len(words) >= 3:  # middle initials: "Tomas J. Arvell" ~ "Tomas Arvell"
        words = [words[0]] + [w for w in words[1:-1] if len(w) > 1] + [words[-1]]
    if len(words) >= 3 and len(words[0]) == 1 and words[0].isalpha():
        words = words[1:]  # a leading initial before a full name: "R. Tomas Arvell" ~ "Tomas Arvell"
    if len(words) >= _PLURAL_FOLD_MIN_WORDS:  # "Board of Trades Unions" ~ "Board of Trade Unions"
        words = [_singular(w) for w in words[:-1]] + [words[-1]]
    return " ".join(words)


#: Abbreviations that stand before a name for one word only: "Mt Ossa" is "Mount Ossa", "St
#: Brenton" "Saint Brenton", "Ft Orland" "Fort Orland".  Only before another word: at the end
#: of a name "St" is "Street" ("Quay St").
_NAME_ABBREVIATIONS = {"mt": "mount", "st": "saint", "ste": "sainte", "ft": "fort"}


def _expand_place_abbreviations(words: list[str]) -> list[str]:
    """``["mt", "ossa"]`` -> ``["mount", "ossa"]``; a last word is left as it is."""
    return [_NAME_ABBREVIATIONS.get(w, w) if i < len(words) - 1 else w for i, w in enumerate(words)]


#: Long formal names are often misquoted with a plural inside ("Institute of Sciences
#: Research"); their inner words are matched in the singular.
_PLURAL_FOLD_MIN_WORDS = 4


def _singular(word: str) -> str:
    """Drop a plural "s" from a word of six letters or more ("pictures" -> "picture", not "witness")."""
    if len(word) >= 6 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_ISE_RE = re.compile(r"(?<=\w{4})is(ed|ing|ation|ations|er|ers)$")


def _spelling(word: str) -> str:
    """British/American variants of one key word: "centre" -> "center", "recognised" -> "recognized".

    Keys only match, they are never shown, so over-applying the -ise/-ize rule
    ("advertised" -> "advertized") is harmless as long as both spellings meet.
    """
    word = _KEY_SPELLING.get(word, word)
    return _ISE_RE.sub(r"iz\1", word)


_FOLD_MIN_LEN = 5
_VOWELS = frozenset("aeiou")


def _fold_transliteration(word: str) -> str:
    """Unify spelling variants that transliteration and nicknames produce.

    Applied to key words of five letters or more (short words and acronyms
    are left alone): an internal "y" reads as "i" and an internal "kh" as "h"
    ("Ismaylov" ~ "Ismailov", "Tarkhanov" ~ "Tarhanov"); in words of six letters or
    more a final "ie", "iy" or "ii" after a consonant reads as "y" ("Kittie" ~
    "Kitty", "Dmitriy" ~ "Dmitrii" ~ "Dmitry"; "Marie" stays apart from
    "Mary").  A final "y" stays, so most English words keep their key.  Keys
    are never displayed: "Brynn" -> "brinn" is harmless as long as every
    spelling meets.
    """
    if len(word) < _FOLD_MIN_LEN or not word.isalpha():
        return word
    head, body, tail = word[0], word[1:-1], word[-1]
    out = head + body.replace("kh", "h").replace("y", "i") + tail
    for ending in ("ie", "iy", "ii"):
        if len(word) > _FOLD_MIN_LEN and out.endswith(ending) and out[-3] not in _VOWELS:
            return out[:-2] + "y"
    return out
