"""One document being attributed: its text, quotes, token and sentence lookups, and
the quotes attributed so far; plus the sentence-end test the lookups rely on."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc, Token

from services.common.doc_text import text_of

from .lexicon import SENTENCE_ABBREVIATIONS
from .marks import RawQuote, paragraphs
from .names import Registry

_END = {".", "!", "?"}


@dataclass
class Attribution:
    """The cue and speaker found for one quote (``mention``: character span of the speaker's
    mention; ``cue_i``: token index of the cue)."""

    speaker: Optional[str] = None
    speaker_type: Optional[str] = None
    role: Optional[str] = None
    mention: Optional[tuple[int, int]] = None
    cue: Optional[str] = None
    cue_i: Optional[int] = None


def is_end(t: Token) -> bool:
    """A sentence-ending mark (not the dot of an abbreviation such as "Lt.")."""
    if t.text not in _END:
        return False
    if t.text == "." and t.i > 0:
        prev = t.doc[t.i - 1]
        if not prev.whitespace_ and prev.text.lower() in SENTENCE_ABBREVIATIONS and t.i + 1 < len(t.doc) \
                and t.doc[t.i + 1].text[:1].isupper() and t.doc[t.i + 1].pos_ == "PROPN":
            return False
        if not prev.whitespace_ and prev.text.lower() == "no" and prev.text[:1] == "N" and t.i + 1 < len(t.doc) \
                and t.doc[t.i + 1].text[:1].isdigit():
            return False  # "Witness No. 3"
    return True


class Context:
    """One document with its quotes, token lookup and the quotes attributed so far."""

    def __init__(self, doc: Doc, registry: Registry, raws: list[RawQuote], body_ctx: "Context | None" = None):
        self.doc = doc
        self.text = text_of(doc)
        self.registry = registry
        self.raws = raws
        self.body_ctx = body_ctx
        self.paras = paragraphs(text_of(doc))
        self.starts = [t.idx for t in doc]
        self.inside = [False] * len(doc)
        for r in raws:
            for i in range(self.tok_at(r.open_start), self.tok_at(max(r.close_end - 1, r.open_start)) + 1):
                self.inside[i] = True
        self.attributed: list[tuple[RawQuote, Attribution]] = []
        self.sent_starts = [sent.start_char for sent in doc.sents] if len(doc) else [0]

    # ------------------------------------------------------------ lookups
    def tok_at(self, char: int) -> int:
        """Index of the token covering ``char`` (or the one before it)."""
        return max(0, bisect.bisect_right(self.starts, char) - 1)

    def para_span(self, raw: RawQuote) -> tuple[int, int]:
        """Character range of the paragraph holding ``raw``."""
        return self.paras[raw.paragraph] if raw.paragraph < len(self.paras) else (0, len(self.text))

    def sent_index(self, char: int) -> int:
        """Index of the sentence holding ``char``."""
        return bisect.bisect_right(self.sent_starts, char) - 1

    def starts_paragraph(self, raw: RawQuote) -> bool:
        """The quote opens its paragraph (only spacing before its mark)."""
        lo, _ = self.para_span(raw)
        return not self.text[lo:raw.open_start].strip()

    def sentence_break_between(self, a: RawQuote, b: RawQuote, limit: int = 1) -> bool:
        """True when the reporter's text between two quotes holds a sentence end."""
        between = self.text[a.close_end:b.open_start]
        return len(re.findall(r"[.!?](\s|$)", between)) >= limit
