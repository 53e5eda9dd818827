"""The word lists of quote extraction: data files that say where they came from, loaded in the
shapes the code uses."""
from __future__ import annotations

from importlib import resources

import pytest

from services import lexicon
from services.quotes import lexicon as words

DATA = resources.files(lexicon).joinpath("data")
DATA_FILES = sorted(p.name for p in DATA.iterdir() if p.name.endswith((".txt", ".tsv")))


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_word_list_says_what_it_holds_and_where_it_came_from(name):
    lines = DATA.joinpath(name).read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert lines[0].startswith("#") and len(header) >= 2, f"{name}: no header"
    assert any(line.lower().startswith("# source:") for line in header), f"{name}: no source line"


def test_word_sets_are_non_empty_lower_case_single_words():
    for name in words.__all__:
        value = getattr(words, name)
        if isinstance(value, dict) or name == "PRESS_ORG_KINDS":
            continue
        assert isinstance(value, (frozenset, tuple)) and value, name
        assert all(w == w.lower() and w.split() == [w] for w in value), name


def test_endings_are_tuples_for_endswith():
    assert "spokesperson".endswith(words.PERSON_SUFFIXES) and not "table".endswith(words.PERSON_SUFFIXES)
    assert "marie".endswith(words.FEMALE_NAME_ENDINGS) and not "tom".endswith(words.FEMALE_NAME_ENDINGS)
    assert "editor".endswith(words.APPOSITION_PERSON_SUFFIXES)


def test_mappings_keep_their_columns_and_group_order():
    assert words.ROLE_SYNONYMS["spokeswoman"] == "spokesperson"
    assert words.ROLE_SYNONYMS["vp"] == "vice president"
    press, broadcaster, agency = words.PRESS_ORG_KINDS
    assert "paper" in press and "radio" in broadcaster and "wire" in agency
    assert not (press & broadcaster or press & agency or broadcaster & agency)


def test_lists_shared_with_the_person_words_file():
    assert words.TITLE_WORDS == lexicon.person_words("title")
    assert words.PERSON_NOUNS == lexicon.person_words("person_noun")
