"""An organisation quoted by its acronym ("NRDC") under the name the article spells out
("Natural Resources Defense Council"): a speaker is given by its fullest name in the article."""
from __future__ import annotations

import re

# Words an organisation's acronym skips ("Department of Justice" -> "DOJ" keeps "of" out).
_MINOR = frozenset({"of", "and", "for", "the", "on", "in", "&"})
_WORD = re.compile(r"[A-Za-z][\w'’.-]*")


def expand_acronym(text: str, short: str) -> str:
    """The first run of capitalised words in ``text`` whose initials spell the all-capital
    acronym ``short`` (minor words may sit inside, none at either end; nothing but spaces
    between the words), else ``short`` itself."""
    if not re.fullmatch(r"[A-Z]{2,6}", short):
        return short
    words = list(_WORD.finditer(text))
    for i, first in enumerate(words):
        if first.group()[0] != short[0] or first.group() == short:
            continue
        letters, j = "", i
        while j < len(words) and len(letters) < len(short):
            if j > i and text[words[j - 1].end():words[j].start()].strip():
                break  # punctuation between the words: not one name
            w = words[j].group()
            if w.lower() in _MINOR and letters:
                j += 1
                continue
            if not w[0].isupper():
                break
            letters += w[0]
            j += 1
        if letters == short and words[j - 1].group().lower() not in _MINOR:
            return text[first.start():words[j - 1].end()]
    return short
