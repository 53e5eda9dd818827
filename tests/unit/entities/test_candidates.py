"""Entity candidates on hand-built tagged docs: extension, splitting, trimming."""
from services.entities.extract import body_candidates
from tests.unit.entities.docs import hand_doc


def test_outlet_noun_after_place_taken_in_and_trailing_function_words_trimmed():
    words = "Officials said the Brenton Courier reported that the Halden Recovery in was closed .".split()
    tags = ["NNS", "VBD", "DT", "NNP", "NNP", "VBD", "IN", "DT", "NNP", "NNP", "IN", "VBD", "VBN", "."]
    doc = hand_doc(words, tags, [(3, 4, "GPE"), (8, 11, "ORG")])
    cands = {c.text: c.label for c in body_candidates(doc)}
    assert cands == {"Brenton Courier": "ORG", "Halden Recovery": "ORG"}


def test_entity_with_list_comma_is_split_but_abbreviations_kept():
    words = "Visitors from Orland , Brenton met Dale Ambers , Jr. today .".split()
    tags = ["NNS", "IN", "NNP", ",", "NNP", "VBD", "NNP", "NNP", ",", "NNP", "NN", "."]
    doc = hand_doc(words, tags, [(2, 5, "GPE"), (6, 10, "PERSON")])
    assert [c.text for c in body_candidates(doc)] == ["Orland", "Brenton", "Dale Ambers , Jr."]
