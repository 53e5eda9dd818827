"""Names the tagger never found: a run of capitalised proper nouns repeated in running text.

A statistical tagger reads each sentence on its own, so a product or team name it does not
know stays untagged in every sentence of an article ("the Vexa Browser ... the Vexa Browser").
Writing is the evidence instead: mid-sentence, only names are capitalised, and a name an
article is about recurs.  A *run* is a maximal sequence of untagged proper nouns (tagged NNP
or NNPS, capitalised, letters only) in running text, not glued to a candidate (a role word
before a name belongs to that name), and not a sentence's capitalised first word alone.  A run
is a name when it occurs :data:`_MIN_RUNNING` times in running text and some word of it never
occurs in lowercase in the article (a common noun capitalised for emphasis, "the Police" beside
"the police", is not a name).  Its occurrences, and its exact recurrences on title-case
headline lines, are marked ``word_recurrence``: entity output only, story clustering and story
counts leave them aside (:meth:`schemas.models.EntityMention.counted_mentions`).
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

from services.entities.candidates import Candidate, is_junk, is_role, trim

__all__ = ["untagged_names"]

#: Running-text occurrences that make an untagged run a name.  Not fitted: as for a tagged
#: one-word name (``recurrence._MIN_TAGGED``), one occurrence is weak evidence and a second,
#: independent one is the least that confirms it.
_MIN_RUNNING = 2
#: Longest run taken (a longer capitalised run is a title or a headline fragment).
_MAX_TOKENS = 4
#: The label of a name the tagger never typed: an organisation or product is what news names
#: without the tagger knowing it (people and places it knows); it decides nothing.
LABEL = "ORG"


def untagged_names(doc: Doc, cands: list[Candidate], headline: list[bool]) -> list[Candidate]:
    """Marked candidates for the runs of untagged proper nouns that recur (see module docstring)."""
    taken: set[int] = {t.i for ent in doc.ents for t in ent}   # tagged, whatever the label ("Friday" DATE)
    for c in cands:
        taken.update(range(c.tok_start, c.tok_end))
    lower = {t.text for t in doc if t.text.islower()}
    runs: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    i, n = 0, len(doc)
    while i < n:
        if headline[i] or i in taken or not _proper(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < n and j not in taken and not headline[j] and _proper(doc[j]) and not doc[j].is_sent_start:
            j += 1
        glued = i - 1 in taken or j in taken
        if not glued and j - i <= _MAX_TOKENS and not (j - i == 1 and doc[i].is_sent_start):
            runs.setdefault(tuple(t.text for t in doc[i:j]), []).append((i, j))
        i = j
    sources = {k for k, spans in runs.items()
               if len(spans) >= _MIN_RUNNING and any(w.lower() not in lower for w in k)}
    if not sources:
        return []
    spans = [s for k in sources for s in runs[k]]
    spans += _headline_matches(doc, sources, taken, headline)
    out = []
    for s, e in sorted(spans):
        cand = trim(doc, s, e, LABEL)
        if cand is not None and not is_junk(cand):
            cand.headline = headline[s]
            cand.word_recurrence = True
            out.append(cand)
    return out


def _proper(tok: Token) -> bool:
    return tok.tag_ in ("NNP", "NNPS") and tok.text[:1].isupper() and tok.text.isalpha() \
        and not tok.is_stop and not is_role(tok)


def _headline_matches(doc: Doc, sources: set[tuple[str, ...]], taken: set[int],
                      headline: list[bool]) -> list[tuple[int, int]]:
    """Exact untagged recurrences of the sources on headline lines (every word capitalised there)."""
    out = []
    for i in range(len(doc)):
        if not headline[i] or i in taken:
            continue
        for k in sources:
            j = i + len(k)
            if j <= len(doc) and tuple(t.text for t in doc[i:j]) == k and not any(x in taken for x in range(i, j)):
                out.append((i, j))
                break
    return out
