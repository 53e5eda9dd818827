"""Person names with a nickname inside (services/entities/nicknames.py), on invented text."""
from services.entities.canonical import canonical_key
from services.entities.extract import entity_ranges, extract_entities
from services.entities.nicknames import inner_nickname, nickname_spans
from tests.unit.entities.docs import assert_offsets, by_name


def test_a_nickname_in_quote_marks_or_brackets_is_left_out_of_the_key():
    full = canonical_key("Tomas Verlin")
    assert canonical_key('Tomas "The Hammer" Verlin') == full
    assert canonical_key("Tomas “the Hammer” Verlin") == full
    assert canonical_key("Tomas (Tom) Verlin") == full
    assert canonical_key("Tomas 'Tom' Verlin") == full
    # brackets at the end of a name, and lowercase words between marks, are not nicknames
    assert canonical_key("Orland Party (OP)") == "orland party op"
    assert canonical_key("Tomas Verlin") != canonical_key("Paul Verlin")


def test_inner_nickname_splits_the_name_around_it():
    assert inner_nickname('Tomas "The Hammer" Verlin') == ("Tomas", "The Hammer", "Verlin")
    assert inner_nickname("Luis Armando (Lucho) Ferrera") == ("Luis Armando", "Lucho", "Ferrera")
    assert inner_nickname("Tomas Verlin") is None
    assert inner_nickname("Orland Party (OP)") is None
    assert inner_nickname("Rock 'n' Roll Hall") is None          # lowercase between marks: no nickname


def test_the_pattern_is_found_where_the_tagger_saw_a_person(parsed):
    _, body = parsed["inner-nickname"]
    spans = [body[s.start:s.end].text for s in nickname_spans(body)]
    # a role word in front is taken in here and trimmed off with the other roles later
    assert spans == ['Tomas "The Hammer" Verlin', "Deputy Luis Armando (Lucho) Ferrera"]
    # each nicknamed name is one PERSON range, never also cut into the tagger's pieces
    ranges = entity_ranges(body)
    for s in nickname_spans(body):
        inside = [r for r in ranges if r[0] < s.end and s.start < r[1]]
        assert inside == [(s.start, s.end, "PERSON", True)]


def test_a_nicknamed_name_is_one_person_with_its_surname_and_nickname_forms(parsed):
    title, body = parsed["inner-nickname"]
    ents = extract_entities(body, title)
    assert_offsets(body, ents)
    names = by_name(ents)
    verlin = next(e for e in ents if canonical_key(e.name) == "tomas verlin")
    assert verlin.type == "PERSON"
    assert any(m.text == 'Tomas "The Hammer" Verlin' for m in verlin.mentions)
    assert "Hammer" not in names and "The Hammer" not in names
    # the brother keeps his own name
    assert any(canonical_key(e.name) == "paul verlin" for e in ents)
    ferrera = next(e for e in ents if canonical_key(e.name) == "luis armando ferrera")
    assert {m.text for m in ferrera.mentions} == {"Luis Armando (Lucho) Ferrera", "Lucho Ferrera"}


def test_quoted_words_after_a_name_are_not_a_nickname():
    from services.common.nlp import parse_articles
    (_, body), = parse_articles([("x", 'The board wished Ada Brennor "Good Luck" Monday, and Piet Osland said '
                                       'the vote was "a disgrace" Tuesday.')])
    assert nickname_spans(body) == []
    assert not any("Good Luck" in e.name for e in extract_entities(body))
