"""Generic English word lists shared by the extractors, kept as data files (``data/``), each
with a header saying what it holds and where it came from.  No names, no outlets."""
from __future__ import annotations

import functools
from importlib import resources

__all__ = ["person_words", "words"]


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """The words of ``data/<name>.txt`` (whitespace-separated, ``#`` comment lines)."""
    return frozenset(w for line in _lines(f"{name}.txt") for w in line.split())


@functools.lru_cache(maxsize=None)
def person_words(kind: str) -> frozenset[str]:
    """The words of ``data/person_words.tsv`` in list ``kind``: ``title``, ``role``,
    ``person_title`` or ``person_noun`` (see the file's header)."""
    out = set()
    for line in _lines("person_words.tsv"):
        word, kinds = line.split("\t")
        if kind in kinds.split(","):
            out.add(word)
    if not out:
        raise KeyError(f"no person word of kind {kind!r}")
    return frozenset(out)
