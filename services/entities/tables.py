"""Mappings kept as data files beside the shared word lists: ``services/lexicon/data/<name>.tsv``,
one entry a line (key, a tab, value), ``#`` comment lines (each file's header says what it holds
and where it came from)."""
from __future__ import annotations

import functools
from importlib import resources
from types import MappingProxyType
from typing import Mapping

__all__ = ["table"]


@functools.lru_cache(maxsize=None)
def table(name: str) -> Mapping[str, str]:
    """The entries of ``data/<name>.tsv`` in file order (the order some lookups rely on), read-only."""
    text = resources.files("services.lexicon").joinpath("data", f"{name}.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("\t")
            out[key] = value
    return MappingProxyType(out)
