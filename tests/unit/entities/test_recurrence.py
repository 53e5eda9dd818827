"""Untagged recurrences of a name the article already uses, on hand-built tagged docs."""
from services.entities import extract, recurrence
from services.entities.extract import extract_entities
from tests.unit.entities.docs import by_name, hand_doc, spaced_doc


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


def test_one_word_name_tagged_twice_is_a_mention_where_it_recurs_untagged(monkeypatch):
    words = "The Doves won . The Doves said Doves fans cheered .".split()
    tags = ["DT", "NNPS", "VBD", ".", "DT", "NNPS", "VBD", "NNPS", "NNS", "VBD", "."]
    doc = hand_doc(words, tags, [(1, 2, "ORG"), (5, 6, "ORG")])
    names = by_name(extract_entities(doc))
    assert [m.text for m in names["Doves"].mentions] == ["Doves", "Doves", "Doves"]
    # marked: entity output only, story clustering leaves it aside
    assert [m.word_recurrence for m in names["Doves"].mentions] == [False, False, True]
    assert len(names["Doves"].counted_mentions()) == 2
    # tagged once only, the same word stays weak evidence (see the first test) ...
    doc = hand_doc(words, tags, [(1, 2, "ORG")])
    with monkeypatch.context() as m:
        m.setattr(extract, "untagged_names", lambda *args: [])
        assert [m.text for m in by_name(extract_entities(doc))["Doves"].mentions] == ["Doves"]
    # ... until it recurs untagged twice mid-sentence (services.entities.untagged): marked too
    assert [m.word_recurrence for m in by_name(extract_entities(doc))["Doves"].mentions] == [False, True, True]


def _decided(ents):
    return [(e.name, e.type, e.in_title, [m.model_dump() for m in e.counted_mentions()]) for e in ents]


def test_word_recurrences_decide_nothing(monkeypatch):
    # the untagged "Doves" comes first and is written between quote marks: counted, it would
    # put Doves before Orland and make it a title (WORK_OF_ART)
    tokens = [("\u201c", "``", False), ("Doves", "NNPS", False), ("\u201d", "''", True), ("fans", "NNS", True),
              ("met", "VBD", True), ("Orland", "NNP", True), ("officials", "NNS", False), (".", ".", True),
              ("The", "DT", True), ("Doves", "NNPS", True), ("won", "VBD", False), (".", ".", True),
              ("The", "DT", True), ("Doves", "NNPS", True), ("said", "VBD", False), (".", ".", False)]
    ents = [(5, 6, "ORG"), (9, 10, "ORG"), (13, 14, "ORG")]
    with_rule = extract_entities(spaced_doc(tokens, ents))
    assert [m.word_recurrence for m in by_name(with_rule)["Doves"].mentions] == [True, False, False]
    monkeypatch.setattr(recurrence, "_MIN_TAGGED", 99)    # the rule off
    without = extract_entities(spaced_doc(tokens, ents))
    assert [len(e.mentions) for e in without] == [1, 2]
    assert _decided(with_rule) == _decided(without)
    assert [e.name for e in with_rule] == ["Orland", "Doves"] and by_name(with_rule)["Doves"].type == "ORG"


def _title_and_body():
    title = hand_doc("Mara Velt Wins Coastal Race".split(), ["NNP", "NNP", "VBZ", "NNP", "NNP"], [(0, 2, "PERSON")])
    words = "Mara Velt won the race . Velt said Mara Velt Group paid .".split()
    tags = ["NNP", "NNP", "VBD", "DT", "NN", ".", "NNP", "VBD", "NNP", "NNP", "NNP", "VBD", "."]
    return title, hand_doc(words, tags, [(6, 7, "PERSON")])


def test_title_name_recurring_untagged_in_the_body_is_a_marked_mention(monkeypatch):
    title, body = _title_and_body()
    with_rule = extract_entities(body, title)
    velt = by_name(with_rule)["Mara Velt"]
    # the body's untagged "Mara Velt" joins the title's entity, marked; the one glued to
    # "Group" (another proper noun) is not the person
    assert [(m.text, m.start, m.word_recurrence) for m in velt.mentions] == [("Mara Velt", 0, True),
                                                                           ("Velt", 25, False)]
    assert [m.text for m in velt.counted_mentions()] == ["Velt"]
    monkeypatch.setattr(extract, "title_recurrences", lambda *args: [])    # the rule off
    title, body = _title_and_body()
    without = extract_entities(body, title)
    assert [m.text for m in by_name(without)["Mara Velt"].mentions] == ["Velt"]
    assert _decided(with_rule) == _decided(without)   # it decides nothing
