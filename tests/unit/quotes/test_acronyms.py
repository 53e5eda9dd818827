"""Acronyms spelled out as the article names the organisation."""
from __future__ import annotations

from services.quotes.acronyms import expand_acronym

TEXT = ("The Coastal Birds Protection League sued the Department of Fisheries on Monday. "
        "Critics of the Harbor, Trade Board say little. The CBPL said it would appeal.")


def test_acronym_takes_the_spelled_out_name():
    assert expand_acronym(TEXT, "CBPL") == "Coastal Birds Protection League"
    assert expand_acronym(TEXT, "DF") == "Department of Fisheries", "a minor word inside is skipped"


def test_no_expansion_without_a_clean_run_of_capitalised_words():
    assert expand_acronym(TEXT, "HTB") == "HTB", "punctuation between the words breaks the run"
    assert expand_acronym(TEXT, "XYZ") == "XYZ"
    assert expand_acronym(TEXT, "League") == "League", "only an all-capital acronym is expanded"
