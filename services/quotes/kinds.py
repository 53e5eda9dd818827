"""What a token denotes: a person noun, an organisation, a head that can be a speaker."""
from __future__ import annotations

from spacy.tokens import Token

from .lexicon import ORG_NOUNS, PERSON_NOUNS, PERSON_SUFFIXES
from .names import Registry


# Dependency labels of grammatical subjects.
SUBJECT_DEPS = ("nsubj", "nsubjpass")


def is_person_noun(t: Token) -> bool:
    """A common noun that denotes a person: a listed one, or one formed like an agent noun
    ("-er", "-ist", "-man" ...)."""
    w = t.lemma_.lower()
    return t.pos_ == "NOUN" and (w in PERSON_NOUNS or t.lower_ in PERSON_NOUNS or
                                 (w.endswith(PERSON_SUFFIXES) and len(w) > 4))


def is_speaker_like(t: Token) -> bool:
    """A token that can head a speaker: a name, a pronoun, a person or organisation noun."""
    if t.pos_ in ("PROPN", "PRON") and t.ent_type_ not in ("DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"):
        return True
    w = t.lemma_.lower()
    return is_person_noun(t) or w in ORG_NOUNS or t.lower_ in ORG_NOUNS


def is_org(head: Token, toks: list[Token], registry: Registry | None = None) -> bool:
    """A head that names or denotes an organisation; a proper noun the article's registry
    knows as part of a person's name never is."""
    if head.pos_ == "PROPN" and registry is not None:
        person = registry.resolve(head.text, head.idx, org=False)
        if person is not None and head.lower_ in person.parts:
            return False
    if head.ent_type_ in ("ORG", "NORP", "GPE") and head.pos_ == "PROPN":
        return True
    return head.lemma_.lower() in ORG_NOUNS or head.lower_ in ORG_NOUNS
