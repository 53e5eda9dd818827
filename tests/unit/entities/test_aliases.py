"""Aliases: acronyms and initials, blended nicknames, similar words."""
from services.entities.aliases import initials, is_acronym, nickname_at, nickname_parts, similar_words
from services.entities.clustering import cluster_names


def test_acronym_helpers():
    assert is_acronym("NSC") and is_acronym("U.N.") and not is_acronym("Nsc") and not is_acronym("A")
    assert initials("Federal Maritime Board") == "FMB"
    assert initials("Board of Inland Revenue") == "BIR"


def test_initials_spell_out_abbreviations_inside_long_form():
    assert initials("U.K. Border Agency") == "UKBA"
    mapping = cluster_names([("U.K. Border Agency", "ORG"), ("UKBA", "ORG")])
    assert mapping["UKBA"] == "U.K. Border Agency"


def test_blended_nicknames():
    assert nickname_parts("JeLo") == ("Je", "Lo") and nickname_parts("M-Tev") == ("M", "Tev")
    assert nickname_parts("K.Ro") == ("K", "Ro")
    assert nickname_parts("Lena") is None and nickname_parts("JK") is None and nickname_parts("NASA") is None
    assert nickname_at("JeLo", ["Jenna", "Lorvik", "Checks"]) == 0
    assert nickname_at("LoCh", ["Jenna", "Lorvik", "Checks"]) == 1
    assert nickname_at("JeLa", ["Jenna", "Lorvik"]) is None        # parts must start the words
    assert nickname_at("JoKo", ["Jo", "Ko"]) is None                # a name is not its own nickname


def test_similar_words_is_conservative():
    assert similar_words("nowitzky", "nowitzki")
    assert similar_words("abdurahman", "abdurrahmann")  # two edits allowed from ten letters
    assert not similar_words("mark", "mary")  # too short
    assert not similar_words("gordon", "jordan")  # first letters differ
    assert not similar_words("austria", "australia")  # two edits on a short word


def test_similar_words_counts_a_swap_of_adjacent_letters_as_one_edit():
    assert similar_words("brennart", "brenanrt")  # one swap (two substitutions for plain Levenshtein)
    assert not similar_words("brennart", "brenatnr")  # two swaps on a word under ten letters
    # each substring is edited once (optimal string alignment): "ca" -> "abc" is three edits, not two
    assert not similar_words("orlandcaxyz", "orlandabcxyz")
    assert similar_words("orlandcaxyzw", "orlandacxyzw")
