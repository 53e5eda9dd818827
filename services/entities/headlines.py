"""Headline fragments: spans on title-case or all-caps lines, and in titles, are kept only as
far as they name something the running text uses.

On such lines every word is capitalised, so the tagger takes in whole headlines
("Lena Korr Returns To Brenton"); :class:`RunningNames` cuts a span back to a name
the article's running text uses.
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

from services.entities.aliases import nickname_at, nickname_parts
from services.entities.candidates import Candidate, trim
from services.entities.features import segments

__all__ = ["RunningNames", "headline_token_mask"]


def headline_token_mask(doc: Doc) -> list[bool]:
    """True for tokens on title-case or all-caps lines/sentences.

    A name-heavy sentence ending in a full stop with at least one lowercase
    content word is running text, not a headline.
    """
    mask = [False] * (len(doc) + 1)
    for segment in segments(doc):
        words = [t for t in segment if t.is_alpha and not t.is_stop and len(t.text) > 1]
        if len(words) < 4:
            continue
        caps = sum(1 for t in words if t.text[0].isupper())
        sentence = segment[-1].text in (".", "!", "?") and caps < len(words)
        if caps / len(words) >= 0.85 and not sentence:
            for t in segment:
                mask[t.i] = True
    return mask


class RunningNames:
    """Names used in running text, to validate spans on headline lines and in titles.

    A headline span is kept as far as it names something used in running
    text: whole if its key is a running name; else (PERSON) with edge words
    trimmed that the article also uses as ordinary lowercase words ("Lena
    Korr Dies" -> "Lena Korr"); else the longest run of two or more
    tokens that is a running name; else a two- or three-word PERSON whose
    first or last word is a running person name ("Lena Korr" beside
    "Korr"); else the longest single running token.  Anything else on such
    a line is dropped.
    """

    def __init__(self, doc: Doc, cands: list[Candidate]):
        self.running: set[str] = set()
        self.person_words: set[str] = set()
        self.nicknames: set[str] = set()
        for c in cands:
            if not c.headline:
                key = c.match_key()
                self.running.add(key)
                if c.label == "PERSON":
                    self.person_words.update(key.split())
                    if nickname_parts(c.text):
                        self.nicknames.add(c.text)
        self._doc = doc
        self._common: set[str] | None = None

    def validate(self, doc: Doc, c: Candidate) -> Candidate | None:
        if not c.headline or c.match_key() in self.running:
            return c
        if c.label == "PERSON":
            c = self._trim_common(doc, c)
            if c is None or c.match_key() in self.running:
                return c
        sub = _longest_running_run(doc, c, self.running, min_len=2)
        if sub is not None:
            return sub
        if self._person_with_known_part(doc, c):
            return c
        if c.label == "PERSON" and (sub := self._nicknamed(doc, c)) is not None:
            return sub
        return _longest_running_run(doc, c, self.running, min_len=1)

    def _nicknamed(self, doc: Doc, c: Candidate) -> Candidate | None:
        """The two words of a headline person span that the running text calls by a blended
        nickname: "Jenna Lorvik Checks Into Rehab" beside a running "JeLo" -> "Jenna Lorvik"."""
        words = [t.text for t in doc[c.tok_start:c.tok_end]]
        for nick in sorted(self.nicknames):
            i = nickname_at(nick, words)
            if i is not None:
                sub = trim(doc, c.tok_start + i, c.tok_start + i + 2, "PERSON")
                if sub is not None:
                    sub.headline = True
                    return sub
        return None

    def _person_with_known_part(self, doc: Doc, c: Candidate) -> bool:
        """Two to four proper nouns, none an ordinary word, ending in a running person name
        (or, for two words, starting with one)."""
        words = c.match_key().split()
        tokens = doc[c.tok_start:c.tok_end]
        if c.label != "PERSON" or not 2 <= len(words) <= 4:
            return False
        if not all(t.tag_ == "NNP" and not self._is_common(t) for t in tokens):
            return False
        return len(words) == 2 and (words[-1] in self.person_words or words[0] in self.person_words)

    def _trim_common(self, doc: Doc, c: Candidate) -> Candidate | None:
        start, end = c.tok_start, c.tok_end
        while end - start > 1 and self._is_common(doc[end - 1]):
            end -= 1
        while end - start > 1 and self._is_common(doc[start]):
            start += 1
        if (start, end) == (c.tok_start, c.tok_end):
            return c
        sub = trim(doc, start, end, c.label)
        if sub is not None:
            sub.headline = True
        return sub

    def _is_common(self, tok: Token) -> bool:
        if self._common is None:  # built only when a headline PERSON needs it
            self._common = _common_words(self._doc)
        return tok.is_stop or any(form in self._common for form in _word_forms(tok.lower_))


def _common_words(doc: Doc) -> set[str]:
    """Lowercase words and their lemmas as used in running (lowercase) text."""
    out = set()
    for tok in doc:
        if tok.is_lower and tok.is_alpha and len(tok.text) > 2:
            out.add(tok.text)
            out.add(tok.lemma_.lower())
    return out


def _word_forms(word: str) -> tuple[str, ...]:
    """The word and crude stems: "returns" -> "return", "dies" -> "die", "checked" -> "check"."""
    forms = [word]
    for suffix in ("s", "es", "ed", "d", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)])
    return tuple(forms)


def _longest_running_run(doc: Doc, cand: Candidate, running: set[str], min_len: int = 1) -> Candidate | None:
    n = cand.tok_end - cand.tok_start
    for length in range(n - 1, min_len - 1, -1):
        for i in range(cand.tok_start, cand.tok_end - length + 1):
            sub = trim(doc, i, i + length, cand.label)
            if sub is not None and sub.tok_end - sub.tok_start == length and sub.match_key() in running:
                sub.headline = True
                return sub
    return None
