"""Untagged recurrences of a name the article already uses, on hand-built tagged docs."""
from services.entities.extract import extract_entities
from tests.unit.entities.docs import by_name, hand_doc


def test_untagged_recurrence_of_a_known_name_is_a_mention():
    words = "Jane Doe met Orland officials . Later Doe said Orland agreed .".split()
    tags = ["NNP", "NNP", "VBD", "NNP", "NNS", ".", "RB", "NNP", "VBD", "NNP", "VBD", "."]
    doc = hand_doc(words, tags, [(0, 2, "PERSON"), (3, 4, "ORG")])
    names = by_name(extract_entities(doc))
    assert [m.text for m in names["Jane Doe"].mentions] == ["Jane Doe", "Doe"]
    # a one-word name the article never anchors to a fuller one is not propagated
    assert [m.text for m in names["Orland"].mentions] == ["Orland"]


def test_recurrence_glued_to_another_proper_noun_or_ambiguous_is_not_propagated():
    words = "Jane Doe spoke . Shares of Doe Industries fell .".split()
    tags = ["NNP", "NNP", "VBD", ".", "NNS", "IN", "NNP", "NNPS", "VBD", "."]
    doc = hand_doc(words, tags, [(0, 2, "PERSON")])
    assert [m.text for e in extract_entities(doc) for m in e.mentions] == ["Jane Doe"]
    words = "Jane Doe met John Doe . Later Doe left .".split()
    tags = ["NNP", "NNP", "VBD", "NNP", "NNP", ".", "RB", "NNP", "VBD", "."]
    doc = hand_doc(words, tags, [(0, 2, "PERSON"), (3, 5, "PERSON")])
    assert sorted(m.text for e in extract_entities(doc) for m in e.mentions) == ["Jane Doe", "John Doe"]
