"""Within-article clustering of names into canonical entities (pure string logic)."""
from services.entities.clustering import cluster_names


def test_cluster_surname_and_first_name_map_to_full_name():
    mapping = cluster_names([
        ("Tomas Arvell", "PERSON"), ("Arvell", "PERSON"), ("Tomas", "PERSON"), ("Arvell’s", "ORG"),
    ])
    assert set(mapping.values()) == {"Tomas Arvell"}


def test_cluster_hyphen_variants_take_most_frequent_spelling():
    mapping = cluster_names([
        ("Park Min-Jae", "PERSON"), ("Park Min Jae", "PERSON"), ("Park Min Jae", "PERSON"), ("Park", "PERSON"),
    ])
    assert set(mapping.values()) == {"Park Min Jae"}


def test_cluster_two_people_sharing_a_surname_stay_apart_from_places():
    mapping = cluster_names([
        ("Lena Korr", "PERSON"), ("Korr", "PERSON"), ("Korrberg", "GPE"), ("Veldoria", "GPE"),
    ])
    assert mapping["Korr"] == "Lena Korr"
    assert mapping["Korrberg"] == "Korrberg"
    assert mapping["Veldoria"] == "Veldoria"


def test_cluster_acronym_by_initials():
    mapping = cluster_names([("Federal Maritime Board", "ORG"), ("FMB", "ORG")])
    assert mapping["FMB"] == "Federal Maritime Board"


def test_cluster_acronym_never_a_surname():
    mapping = cluster_names([("Ana Sol Un", "PERSON"), ("UN", "ORG")])
    assert mapping["UN"] == "United Nations"


def test_cluster_explicit_aliases():
    mapping = cluster_names([("Ostrava Works", "ORG"), ("OWX", "ORG")], aliases=[("OWX", "Ostrava Works")])
    assert mapping["OWX"] == "Ostrava Works"


def test_cluster_common_abbreviations_are_generic():
    mapping = cluster_names([("U.S.", "GPE"), ("US", "GPE")])
    assert set(mapping.values()) == {"United States"}
    mapping = cluster_names([("United States", "GPE"), ("U.S.", "GPE")])
    assert set(mapping.values()) == {"United States"}


def test_cluster_org_short_forms():
    mapping = cluster_names([("Harlow Recovery Center", "FAC"), ("Harlow", "ORG"), ("Harlow", "FAC")])
    assert mapping["Harlow"] == "Harlow Recovery Center"
    mapping = cluster_names([("Brenton", "GPE"), ("Brenton Falcons", "ORG")])
    assert mapping["Brenton"] == "Brenton"  # a city is not its team


def test_cluster_shouting_variant_not_chosen():
    mapping = cluster_names([("NORTH VELDORIA", "GPE"), ("North Veldoria", "GPE")])
    assert set(mapping.values()) == {"North Veldoria"}


def test_cluster_spelling_variants_of_last_word():
    mapping = cluster_names([("Jane Nowitzky", "PERSON"), ("Jane Nowitzki", "PERSON"), ("Jane Nowitzki", "PERSON"),
                             ("Nowitzky", "NORP")])
    assert set(mapping.values()) == {"Jane Nowitzki"}


def test_cluster_first_names_one_letter_apart_stay_apart():
    mapping = cluster_names([("Daniel Orsk", "PERSON"), ("Daniela Orsk", "PERSON")])
    assert mapping["Daniel Orsk"] != mapping["Daniela Orsk"]


def test_cluster_spelling_variant_never_joins_place_and_person():
    mapping = cluster_names([("Jane Brentonn", "PERSON"), ("Brenton", "GPE")])
    assert mapping["Brenton"] == "Brenton"


def test_cluster_short_title_with_wavering_type_joins_long_title():
    mapping = cluster_names([("Silver Harbor Games", "WORK_OF_ART"), ("Games", "EVENT"), ("Games", "WORK_OF_ART")])
    assert mapping["Games"] == "Silver Harbor Games"


def test_cluster_nickname_alias_takes_the_full_name():
    mentions = [("Marco Teval", "PERSON"), ("M-Tev", "PERSON"), ("M-Tev", "PERSON"), ("M-Tev", "PERSON")]
    assert set(cluster_names(mentions, aliases=[("M-Tev", "Marco Teval")]).values()) == {"Marco Teval"}
    assert cluster_names(mentions)["M-Tev"] == "M-Tev"               # no alias read: apart


def test_name_written_before_a_longer_one_it_begins_is_its_parent():
    from services.entities.clustering import Mention
    parent_first = cluster_names([Mention("Veltro", "ORG"), Mention("Veltro", "ORG"),
                                  Mention("Veltro Security Lab", "ORG")])
    assert parent_first["Veltro"] == "Veltro" and parent_first["Veltro Security Lab"] == "Veltro Security Lab"
    # written after the full name, the same short form still shortens it
    short_after = cluster_names([Mention("Halden Recovery Center", "ORG"), Mention("Halden", "ORG")])
    assert short_after["Halden"] == "Halden Recovery Center"
