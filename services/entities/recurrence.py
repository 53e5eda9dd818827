"""Mentions the tagger missed: untagged recurrences of a name the article already uses, and
recurrences of an acronym it defines in parentheses."""
from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc, Token

from services.common.doc_text import text_of
from services.entities.aliases import is_acronym
from services.entities.candidates import Candidate, is_junk, is_role, trim
from services.entities.clustering import Mention, cluster_names

__all__ = ["add_defined_acronyms", "propagate_names", "title_recurrences"]

_MAX_NAME_TOKENS = 6
#: A one-word name is a source for its untagged recurrences once the tagger found it this many
#: times in running text.  Not fitted: structural -- one tagging is the weak evidence a lone
#: capitalised word gives ("a lone capitalised word is weak evidence" below), a second
#: independent tagging of the same word is the least that confirms it.
_MIN_TAGGED = 2


def propagate_names(doc: Doc, cands: list[Candidate], headline: list[bool]) -> list[Candidate]:
    """A name the article already uses is a mention wherever it recurs untagged.

    The tagger often misses a name it found elsewhere in the same article
    ("Jane Doe said ... Doe herself announced").  Sources are the running-text
    candidates of two or more words (their exact token sequence), one-word
    candidates that the article anchors to a fuller name ("Doe" beside "Jane
    Doe"; a lone capitalised word is weak evidence), and the last word of
    multi-word PERSON names (the surname) unless two full names of the
    article share it.  A recurrence is taken when none of its tokens belongs
    to a candidate and, in running text, it is not glued to another
    capitalised proper noun ("Doe" inside "Doe Industries" is not Jane Doe).
    On headline lines, where every word is capitalised, any exact match counts.

    A one-word candidate the tagger found :data:`_MIN_TAGGED` times in running
    text is a source too ("the Doves won ... the Doves said" makes "Doves fans"
    a mention); its recurrences are marked ``word_recurrence``: entity output
    only, story clustering leaves them aside.  They never change the other
    recurrences (a source of its own is never replaced, and each is one token).
    """
    mapping = cluster_names([Mention(c.text, c.label) for c in cands])
    sources: dict[tuple[str, ...], str] = {}
    surnames: dict[tuple[str, ...], str] = {}
    full_names: dict[str, set[tuple[str, ...]]] = {}  # surname -> full PERSON names ending in it
    tagged_words: dict[tuple[str, ...], Counter[str]] = {}  # one-word running-text candidate -> labels
    for c in cands:
        if c.label == "PERSON" and c.tok_end - c.tok_start >= 2:
            full_names.setdefault(doc[c.tok_end - 1].text, set()).add(
                tuple(t.text for t in doc[c.tok_start:c.tok_end]))
        if c.headline:
            continue
        toks = tuple(t.text for t in doc[c.tok_start:c.tok_end])
        anchored = len(toks) > 1 or len(mapping.get(c.text, "").split()) > 1
        if anchored and len(toks) <= _MAX_NAME_TOKENS and _name_like(doc[c.tok_start]):
            sources.setdefault(toks, c.label)
        elif len(toks) == 1 and _name_like(doc[c.tok_start]) and not doc[c.tok_start].is_stop:
            tagged_words.setdefault(toks, Counter())[c.label] += 1
        last = doc[c.tok_end - 1]
        if c.label == "PERSON" and len(toks) >= 2 and _name_like(last) and len(last.text) >= 3 \
                and not last.is_stop and not is_role(last):
            surnames.setdefault((last.text,), "PERSON")
    for key in list(surnames):
        sources.setdefault(key, surnames[key])
    words = set()   # sources only as twice-tagged words: their recurrences are marked
    for key, labels in tagged_words.items():
        if labels.total() >= _MIN_TAGGED and key not in sources:
            sources[key] = labels.most_common(1)[0][0]
            words.add(key)
    for last, fulls in full_names.items():
        if len(fulls) > 1:  # "Doe" for either "Jane Doe" or "John Doe": ambiguous, left to the tagger
            sources.pop((last,), None)
    if not sources:
        return cands
    extra = []
    for s, e in _source_runs(doc, sources, cands, headline):
        key = tuple(t.text for t in doc[s:e])
        cand = trim(doc, s, e, sources[key])
        if cand is not None and not is_junk(cand):
            cand.headline = headline[s]
            cand.word_recurrence = key in words
            extra.append(cand)
    return sorted(cands + extra, key=lambda c: c.start) if extra else cands


def title_recurrences(body: Doc, title: Doc, heads: list[Candidate], cands: list[Candidate],
                      headline: list[bool]) -> list[Candidate]:
    """Untagged recurrences in the body of the names the title uses, marked ``word_recurrence``.

    A headline names the story's main actors and the body repeats them, but the tagger reads
    the body on its own and often misses a name there (a title-case line repeating the title,
    a name it tagged only in the title).  The title's validated candidates are the sources
    (their exact token sequences), taken as in :func:`propagate_names`: untagged tokens only,
    and in running text not glued to another capitalised proper noun.  They are marked: they
    join the entity the title's name belongs to and decide nothing (story clustering leaves
    marked mentions aside).
    """
    sources: dict[tuple[str, ...], Candidate] = {}
    for h in heads:
        toks = tuple(t.text for t in title[h.tok_start:h.tok_end])
        if 0 < len(toks) <= _MAX_NAME_TOKENS and _name_like(title[h.tok_start]) \
                and not (len(toks) == 1 and title[h.tok_start].is_stop):
            sources.setdefault(toks, h)
    if not sources:
        return []
    out = []
    for s, e in _source_runs(body, sources, cands, headline):
        span = body[s:e]
        out.append(Candidate(span.start_char, span.end_char, span.text, sources[tuple(t.text for t in span)].label,
                             s, e, headline=headline[s], word_recurrence=True))
    return out


def _source_runs(doc: Doc, sources, cands: list[Candidate], headline: list[bool]) -> list[tuple[int, int]]:
    """Where the token sequences ``sources`` recur untagged, as token spans: the longest at each
    position, on tokens no candidate holds, and in running text not glued to another capitalised
    proper noun (a headline line's words are all capitalised: glue is no evidence there)."""
    firsts = {k[0] for k in sources}
    taken = set()
    for c in cands:
        taken.update(range(c.tok_start, c.tok_end))
    out = []
    i, n = 0, len(doc)
    texts = [t.text for t in doc]          # (one Token object per token, not one per look)
    while i < n:
        if texts[i] not in firsts or i in taken:
            i += 1
            continue
        found = next((length for length in range(min(_MAX_NAME_TOKENS, n - i), 0, -1)
                      if tuple(texts[i:i + length]) in sources
                      and not any(j in taken for j in range(i, i + length))), None)
        if found is None or not headline[i] and (_glued_name(doc, i - 1) or _glued_name(doc, i + found)):
            i += 1
            continue
        out.append((i, i + found))
        i += found
    return out


def _name_like(tok: Token) -> bool:
    """Capitalised word, apostrophes and hyphens allowed ("Doe", "DeSoto", "NATO", "O'Hara")."""
    return tok.text[:1].isupper() and tok.text.replace("'", "").replace("’", "").replace("-", "").isalpha()


def _glued_name(doc: Doc, i: int) -> bool:
    """Token ``i`` is a capitalised proper noun that would extend a name next to it."""
    if i < 0 or i >= len(doc):
        return False
    tok = doc[i]
    return tok.tag_ in ("NNP", "NNPS") and _name_like(tok) and not tok.is_sent_start


def add_defined_acronyms(doc: Doc, cands: list[Candidate]) -> list[Candidate]:
    """An acronym defined in parentheses after a name is a mention wherever it recurs."""
    defined: dict[str, str] = {}
    text = text_of(doc)
    for c in cands:
        m = re.match(r"\s*\(\s*([A-Z][A-Za-z.&]{1,8})\s*\)", text[c.end:c.end + 14])
        if m and is_acronym(m.group(1)):
            defined[m.group(1)] = c.label
    if not defined:
        return cands
    taken = set()
    for c in cands:
        taken.update(range(c.tok_start, c.tok_end))
    extra = [
        Candidate(t.idx, t.idx + len(t.text), t.text, defined[t.text], t.i, t.i + 1)
        for t in doc if t.text in defined and t.i not in taken
    ]
    return sorted(cands + extra, key=lambda c: c.start)
