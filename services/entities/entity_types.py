"""Entity types: conservative fixes of obvious NER type errors, and the type of a grouped entity.

"in X" is not a person, "President X" is; a surname tagged as a place beside the
full name is the person; "X Theatre" is a facility; a name written between quote
marks is a title.
"""
from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc

from schemas.models import Span
from services import lexicon
from services.common.doc_text import text_of
from services.entities.aliases import is_acronym
from services.entities.candidates import PLACE_LABELS, Candidate, is_possessive
from services.entities.canonical import canonical_key
from services.entities.clustering import cluster_type

__all__ = ["FACILITY_HEADS", "entity_type", "fix_type", "mark_quoted"]

#: Role words that, directly before a name, make it a person ("President X").
PERSON_TITLES = lexicon.person_words("person_title")
_OPEN_QUOTE_RE = re.compile(r"[\"“‘'](?:the |a |an )?$", re.IGNORECASE)
_CLOSE_QUOTES = frozenset("\"”’'")
#: Head nouns that make an organisation-typed name a facility ("Orland Theatre").
FACILITY_HEADS = lexicon.words("facility_heads")


def mark_quoted(doc: Doc, cand: Candidate) -> None:
    """Flag a name written between quote marks (maybe after a "the" inside them): ``'Long Way Home'``."""
    text = text_of(doc)
    cand.quoted = bool(_OPEN_QUOTE_RE.search(text[max(0, cand.start - 6):cand.start])) \
        and text[cand.end:cand.end + 1] in _CLOSE_QUOTES


#: Prepositions after which a one-word name is read as a place ("in Korvana").
_LOCATIVE = lexicon.words("locative_prepositions")


def fix_type(doc: Doc, cand: Candidate, person_words: frozenset[str] | set[str] = frozenset(),
             surnames: frozenset[str] | set[str] = frozenset()) -> str:
    """Conservative corrections of obvious NER type errors."""
    prev = doc[cand.tok_start - 1] if cand.tok_start > 0 else None
    if cand.label in PLACE_LABELS and cand.tok_end - cand.tok_start == 1 and cand.text in surnames \
            and not (prev is not None and prev.lower_ in _LOCATIVE):
        return "PERSON"  # "Doe" tagged GPE beside "Jane Doe" (but "in Doe" stays a place)
    if cand.label in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC") and cand.tok_end - cand.tok_start == 2 \
            and doc[cand.tok_end - 1].text in person_words and not (prev is not None and prev.lower_ == "the") \
            and all(t.tag_ == "NNP" and t.is_title for t in doc[cand.tok_start:cand.tok_end]):
        return "PERSON"  # "Elise Varn" tagged ORG where "(Ms) Varn" is a person
    nxt = doc[cand.tok_end] if cand.tok_end < len(doc) else None
    if cand.label == "PERSON" and cand.tok_end - cand.tok_start == 1 and prev is not None \
            and prev.lower_ in ("in", "near") and not (nxt is not None and is_possessive(nxt)):
        return "GPE"  # "in Korvana"
    if cand.label == "PERSON" and cand.tok_end - cand.tok_start == 1 and prev is not None \
            and prev.lower_ == "the" and doc[cand.tok_start].tag_ == "NNPS":
        return "ORG"  # "the Falcons": a plural name after "the" is a team or band, not a person
    if cand.label in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "LOC", "FAC") and prev is not None \
            and prev.lower_.rstrip(".") in PERSON_TITLES and prev.text[:1].isupper() \
            and all(t.tag_ in ("NNP", "NNPS") for t in doc[cand.tok_start:cand.tok_end]) \
            and cand.tok_end - cand.tok_start <= 3:
        return "PERSON"  # "President Arvell" tagged ORG
    if cand.label == "ORG" and cand.tok_end - cand.tok_start >= 2 and doc[cand.tok_end - 1].lower_ in FACILITY_HEADS:
        return "FAC"  # "Orland Theatre" tagged ORG
    return cand.label


def entity_type(name: str, spans: list[Span], votes: Counter, cands: list[Candidate],
                quoted: bool = False) -> str:
    """Majority type of the mentions written in the canonical (fullest) form, else of all mentions.

    The full form is the most reliably typed ("Peter Quist" PERSON even when
    the tagger reads a lone "Quist" as ORG).  A name written between
    quote marks somewhere in the article is a WORK_OF_ART, whatever the votes.
    """
    if quoted and not is_acronym(name):
        return "WORK_OF_ART"
    key = canonical_key(name)
    full = Counter(c.label for c in cands if c.match_key() == key)
    return cluster_type(full or votes, name)
