"""Entity name tokens for the conflict of :mod:`scoring`: a name's words and its acronym, so that
whether a name is absent from the other side does not depend on one outlet writing "IMF" and
another "International Monetary Fund"."""
from __future__ import annotations

import functools
from itertools import chain
from typing import Iterable

_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "&", "de", "du", "la", "le"})


@functools.lru_cache(maxsize=1 << 16)   # pure functions of a name, asked for every entity of every candidate
def acronym(key: str) -> str:
    """The initials of a name of two or more words ("international monetary fund" -> "imf",
    "european union" -> "eu"); "" for a one-word name."""
    words = [w for w in key.split() if w not in _ACRONYM_SKIP]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def name_tokens(ents: Iterable[str]) -> set[str]:
    """Entity name tokens plus the acronyms of the names: whether a name is absent from the
    other side (the conflict) must not depend on one outlet writing "IMF" and another
    "International Monetary Fund"."""
    return set(chain.from_iterable(map(_name_parts, ents)))


@functools.lru_cache(maxsize=1 << 16)
def _name_parts(key: str) -> tuple[str, ...]:
    """A name's tokens and its acronym, if any (:func:`name_tokens`)."""
    a = acronym(key)
    return (*key.split(), a) if a else tuple(key.split())
