"""Entity extraction end to end on invented articles (parsed once, see conftest.py)."""
from services.common.nlp import doc_from_bytes, doc_to_bytes, parse_articles
from services.entities.extract import extract_entities
from tests.unit.entities.docs import assert_offsets, by_name


def test_roles_stripped_and_surnames_resolved(parsed):
    title, body = parsed["roles"]
    ents = extract_entities(body, title)
    names = by_name(ents)
    assert_offsets(body, ents)
    assert "Tomas Arvell" in names and names["Tomas Arvell"].type == "PERSON"
    assert {m.text for m in names["Tomas Arvell"].mentions} == {"Tomas Arvell", "Arvell"}
    assert "Ivo Saric" in names
    assert names["Tomas Arvell"].in_title and names["Ivo Saric"].in_title
    assert not any("President" in e.name or "Minister" in e.name for e in ents)
    assert not any(m.text in ("Defense", "Eastland Defense") for e in ents for m in e.mentions)


def test_possessive_trimmed_with_exact_offsets(parsed):
    _, body = parsed["roles"]
    ents = extract_entities(body)
    veld = by_name(ents)["Veldoria"]
    assert len(veld.mentions) == 2
    for m in veld.mentions:
        assert m.text == "Veldoria" and body.text[m.start:m.end] == "Veldoria"


def test_hyphen_variants_one_entity(parsed):
    title, body = parsed["hyphen"]
    ents = extract_entities(body, title)
    anna = [e for e in ents if "Kessler" in e.name]
    assert len(anna) == 1
    assert anna[0].name == "Anna Maria Kessler"  # the spelling written most often
    assert {m.text for m in anna[0].mentions} == {"Anna Maria Kessler", "Anna-Maria Kessler", "Kessler"}
    assert anna[0].in_title


def test_acronym_defined_in_text(parsed):
    title, body = parsed["acronym"]
    ents = extract_entities(body, title)
    names = by_name(ents)
    assert_offsets(body, ents)
    board = names["Federal Maritime Board"]
    assert sum(m.text == "FMB" for m in board.mentions) == 3
    assert "FMB" not in names


def test_numeric_types_dropped(parsed):
    _, body = parsed["acronym"]
    assert all(e.type not in ("DATE", "CARDINAL", "TIME") for e in extract_entities(body))


def test_docbin_round_trip_gives_same_entities(parsed):
    for title, body in parsed.values():
        direct = extract_entities(body, title)
        rebuilt = extract_entities(doc_from_bytes(doc_to_bytes(body)), doc_from_bytes(doc_to_bytes(title)))
        assert [e.model_dump() for e in direct] == [e.model_dump() for e in rebuilt]


def test_empty_body():
    title, body = parse_articles([("Nothing", "no names here at all.")])[0]
    assert extract_entities(body, title) == []
