"""Helpers of the entities tests: tagged docs built by hand (no model), result lookups."""
from spacy.tokens import Doc, Span as SpacySpan

from services.common.nlp import blank_vocab_nlp


def by_name(ents):
    return {e.name: e for e in ents}


def assert_offsets(body, ents):
    for ent in ents:
        for m in ent.mentions:
            assert body.text[m.start:m.end] == m.text


def hand_doc(words, tags, ents):
    """A tagged Doc without a model: ``ents`` are (start, end, label) token ranges."""
    doc = Doc(blank_vocab_nlp().vocab, words=words, tags=tags,
              sent_starts=[True] + [False] * (len(words) - 1))
    doc.ents = [SpacySpan(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def spaced_doc(tokens, ents):
    """Like :func:`hand_doc` with explicit spacing: ``tokens`` are (word, tag, space_after) triples."""
    words, tags, spaces = zip(*tokens)
    doc = Doc(blank_vocab_nlp().vocab, words=list(words), tags=list(tags), spaces=list(spaces),
              sent_starts=[True] + [False] * (len(words) - 1))
    doc.ents = [SpacySpan(doc, s, e, label=lab) for s, e, lab in ents]
    return doc
