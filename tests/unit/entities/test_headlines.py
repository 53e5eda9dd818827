"""Headline lines and titles: spans kept only as far as they name what the running text uses."""
import pytest

from services.entities.extract import extract_entities
from tests.unit.entities.docs import assert_offsets, by_name


def test_headline_junk_url_and_byline_dropped(parsed):
    title, body = parsed["headline"]
    ents = extract_entities(body, title)
    names = by_name(ents)
    assert_offsets(body, ents)
    assert "Lena Korr" in names and names["Lena Korr"].in_title
    assert "Brenton" in names
    surfaces = {m.text for e in ents for m in e.mentions}
    assert not any("Returns" in s or "Absence" in s or "http" in s or "example" in s for s in surfaces)
    assert "Peter Quist" not in names  # byline credit, not a story entity
    assert all(any(c.isupper() for c in s) for s in surfaces)


@pytest.mark.parametrize("key, full, nick", [("nickname", "Jenna Lorvik", "JeLo"),
                                              ("nickname-hyphen", "Marco Teval", "M-Tev")])
def test_headline_name_the_text_calls_by_a_blended_nickname(parsed, key, full, nick):
    """The headline's full name is kept although the running text only uses a nickname blended
    from its two words, and the nickname's mentions are that person's."""
    title, body = parsed[key]
    names = by_name(extract_entities(body, title))
    assert_offsets(body, names.values())
    assert full in names and names[full].in_title and names[full].type == "PERSON"
    assert {m.text for m in names[full].mentions} == {nick} and len(names[full].mentions) >= 3
    assert nick not in names and not any("Checks" in n or "Signs" in n for n in names)
