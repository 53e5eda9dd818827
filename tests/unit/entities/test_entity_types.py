"""Type fixes on hand-built tagged docs: quoted titles, facilities, surnames tagged as places."""
from services.entities.extract import body_candidates, extract_entities
from tests.unit.entities.docs import by_name, hand_doc, spaced_doc


def test_quoted_name_is_a_title_whatever_the_tagger_says():
    doc = spaced_doc([("Critics", "NNS", True), ("loved", "VBD", True), ("'", "``", False), ("Long", "NNP", True),
                      ("Way", "NNP", True), ("Home", "NNP", False), ("'", "''", True), ("again", "RB", False),
                      (".", ".", False)], [(3, 6, "PERSON")])
    ents = extract_entities(doc)
    assert [(e.name, e.type) for e in ents] == [("Long Way Home", "WORK_OF_ART")]


def test_facility_head_determiner_and_numeral_names():
    words = "Fans of the 49ers met at the Orland Theatre , this Brenton Times reported .".split()
    tags = ["NNS", "IN", "DT", "NNPS", "VBD", "IN", "DT", "NNP", "NNP", ",", "DT", "NNP", "NNP", "VBD", "."]
    doc = hand_doc(words, tags, [(3, 4, "ORG"), (7, 9, "ORG"), (10, 13, "ORG")])
    cands = {c.text: c.label for c in body_candidates(doc)}
    assert cands == {"49ers": "ORG", "Orland Theatre": "FAC", "Brenton Times": "ORG"}


def test_surname_tagged_as_place_is_the_person_unless_after_a_locative():
    words = "Jane Doe arrived . Doe spoke in Doe later , and the Falcons cheered .".split()
    tags = ["NNP", "NNP", "VBD", ".", "NNP", "VBD", "IN", "NNP", "RB", ",", "CC", "DT", "NNPS", "VBD", "."]
    doc = hand_doc(words, tags, [(0, 2, "PERSON"), (4, 5, "GPE"), (7, 8, "GPE"), (12, 13, "PERSON")])
    labels = [(c.text, c.label) for c in body_candidates(doc)]
    assert labels == [("Jane Doe", "PERSON"), ("Doe", "PERSON"),
                      ("Doe", "GPE"),       # "in Doe" is a place
                      ("Falcons", "ORG")]   # a plural name after "the" is a team, not a person
    names = by_name(extract_entities(doc))
    assert names["Jane Doe"].type == "PERSON" and "Doe" not in names
