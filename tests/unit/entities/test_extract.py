"""Entity extraction and article features on invented articles (parsed once per module)."""
from datetime import datetime

import pytest

from services.common.nlp import doc_from_bytes, doc_to_bytes, parse_articles
from services.entities.extract import extract_entities
from services.entities.features import content_terms, find_dates, lead_sentence, own_date

ARTICLES = {
    "roles": (
        "Arvell meets Saric in Korvana",
        "President Tomas Arvell met Eastland Defense Minister Ivo Saric in Korvana on Tuesday. "
        "Arvell said the talks were useful, and Saric agreed. "
        "Veldoria’s foreign ministry welcomed the meeting, calling Veldoria's role central.",
    ),
    "hyphen": (
        "Anna-Maria Kessler wins",
        "Anna Maria Kessler won the regional chess title in Brenton on Sunday. "
        "Anna-Maria Kessler, 24, beat the favourite in 40 moves. Kessler said she was tired. "
        "Fans of Anna Maria Kessler celebrated in the streets, and Anna Maria Kessler thanked them.",
    ),
    "acronym": (
        "Maritime board fines shipper",
        "The Federal Maritime Board (FMB) fined Ostrava Shipping on Monday, officials said. "
        "The FMB said the company had ignored safety rules for two years. "
        "Ostrava Shipping said it would appeal the FMB decision.",
    ),
    "headline": (
        "Lena Korr Returns To Brenton After Long Absence",
        "http://example.org/news/lena-korr-returns\n"
        "Lena Korr Returns To Brenton After Long Absence\n"
        "March 3, 2021\n"
        "By Peter Quist, Daily Ledger\n"
        "Singer Lena Korr returned to Brenton on Friday after three years abroad. "
        "Korr told reporters she was happy to be home. The Brenton city council "
        "said it would hold a reception for Korr next week.",
    ),
    "nickname": (
        "Jenna Lorvik Checks Into Rehab, Checks Out Two Hours Later",
        "JeLo's lawyer told the judge on Monday that JeLo was in a treatment centre. In fact JeLo was "
        "shopping in Fairhaven, reporters said. JeLo later arrived at the clinic in Westport.",
    ),
    "nickname-hyphen": (
        "Marco Teval Signs With Harbor City",
        "Slugger M-Tev agreed terms on Friday, his agent said. M-Tev will earn more than any player "
        "in the league. Fans cheered when M-Tev arrived at the ballpark.",
    ),
}


@pytest.fixture(scope="module")
def parsed():
    docs = parse_articles(list(ARTICLES.values()))
    return dict(zip(ARTICLES, docs))


def _names(ents):
    return {e.name: e for e in ents}


def _assert_offsets(body, ents):
    for ent in ents:
        for m in ent.mentions:
            assert body.text[m.start:m.end] == m.text


def test_roles_stripped_and_surnames_resolved(parsed):
    title, body = parsed["roles"]
    ents = extract_entities(body, title)
    names = _names(ents)
    _assert_offsets(body, ents)
    assert "Tomas Arvell" in names and names["Tomas Arvell"].type == "PERSON"
    assert {m.text for m in names["Tomas Arvell"].mentions} == {"Tomas Arvell", "Arvell"}
    assert "Ivo Saric" in names
    assert names["Tomas Arvell"].in_title and names["Ivo Saric"].in_title
    assert not any("President" in e.name or "Minister" in e.name for e in ents)
    assert not any(m.text in ("Defense", "Eastland Defense") for e in ents for m in e.mentions)


def test_possessive_trimmed_with_exact_offsets(parsed):
    _, body = parsed["roles"]
    ents = extract_entities(body)
    veld = _names(ents)["Veldoria"]
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
    names = _names(ents)
    _assert_offsets(body, ents)
    board = names["Federal Maritime Board"]
    assert sum(m.text == "FMB" for m in board.mentions) == 3
    assert "FMB" not in names


def test_headline_junk_url_and_byline_dropped(parsed):
    title, body = parsed["headline"]
    ents = extract_entities(body, title)
    names = _names(ents)
    _assert_offsets(body, ents)
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
    names = _names(extract_entities(body, title))
    _assert_offsets(body, names.values())
    assert full in names and names[full].in_title and names[full].type == "PERSON"
    assert {m.text for m in names[full].mentions} == {nick} and len(names[full].mentions) >= 3
    assert nick not in names and not any("Checks" in n or "Signs" in n for n in names)


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


# ----------------------------------------------------------------- features
def test_lead_sentence_skips_url_date_byline_headline(parsed):
    _, body = parsed["headline"]
    assert lead_sentence(body).startswith("Singer Lena Korr returned to Brenton")


def test_content_terms(parsed):
    _, body = parsed["acronym"]
    terms = content_terms(body, limit=5)
    assert len(terms) <= 5
    assert all(t == t.lower() for t in terms)
    assert "the" not in terms and "." not in terms
    assert "fmb" in terms or "shipping" in terms


def test_find_dates_absolute_and_relative(parsed):
    _, body = parsed["headline"]
    dates = find_dates(body, published=datetime(2021, 3, 5, 12, 0))
    assert dates[0] == "2021-03-03"
    assert "2021-03-05" in dates  # "on Friday" relative to a Friday publication
    assert find_dates(body)[:1] == ["2021-03-03"]
    title, body = parse_articles([("x", "The plan was signed on 2011-02-23 and amended in June 2012.")])[0]
    assert find_dates(body) == ["2011-02-23", "2012-06"]


@pytest.mark.parametrize("text, expected", [
    ("Article posted on 08.07.2012 by the desk.", ["2012-07-08"]),                 # dotted: day first
    ("27/09/2013 - Voters will go to the polls.", ["2013-09-27"]),                 # slashed, day > 12
    ("Filed 5/2/2013 from the capital.", ["2013-05-02"]),                          # slashed: US order
    ("Posted a year ago [downloaded on 2 October 2013]. It opens March 5, 2011.", ["2011-03-05"]),
    ("Retrieved: 12 May 2020. The vote was held on 3 June 2019.", ["2019-06-03"]),  # capture stamps
])
def test_find_dates_numeric_orders_and_capture_stamps(text, expected):
    _, body = parse_articles([("x", text)])[0]
    assert find_dates(body) == expected


NOW = datetime(2026, 11, 24, 12, 0)


@pytest.mark.parametrize("text, expected", [
    # a dateline is the own date, even when the lead that follows is in the future tense
    ("BRENTON, Dec. 11, 2008 -- The ministry will publish the new rules, officials said.", "2008-12-11"),
    # a time-stamp line parsed into the next sentence is not that sentence's future
    ("Posted 8:13 AM 8/2/2013\nShe will host the ceremony on the last night.", "2013-08-02"),
    # a release date in a future-tense clause is not the article's date ...
    ("The film will be released on December 25, 2019, the studio said.", None),
    ("The vote is expected to take place on March 3, 2014. Officials met on Feb. 2, 2014.", "2014-02-02"),
    ("The studio said on May 3, 2018 that the film is scheduled for release on December 25, 2019.", "2018-05-03"),
    # ... but past and present clauses are, wherever "will" appears elsewhere in the text
    ("The court will hear the case later. The ruling came on March 3, 2013.", "2013-03-03"),
    ("The law was passed on March 3, 2010 and takes effect on January 1, 2011.", "2010-03-03"),
    ("The record set on May 2, 2012 still stands.", "2012-05-02"),   # "set" is no future cue
    # a month is not a day
    ("Voting began in February 2013. Results came on March 3, 2013.", None),
])
def test_own_date_skips_future_clauses(text, expected):
    _, body = parse_articles([("x", text)])[0]
    assert own_date(body, not_after=NOW) == expected


def test_own_date_is_read_in_the_lead_only_and_never_a_birth_date():
    filler = "The coach thanked the players and the fans for their support over the seasons. " * 6
    # background deep in the body ("was named coach on ...") is not the day of the news
    _, body = parse_articles([("x", "The club fired its coach on Saturday. " + filler
                               + "He was named coach on May 23, 2005.")])[0]
    assert own_date(body, not_after=NOW) is None
    _, body = parse_articles([("x", "The club fired its coach on March 2, 2009. " + filler
                               + "He was named coach on May 23, 2005.")])[0]
    assert own_date(body, not_after=NOW) == "2009-03-02"
    # an obituary's birth date is not its date; the death is
    _, body = parse_articles([("x", "Korr was born Ada Mae Korr in Brenton, Westland on April 22, 1923. "
                                    "She died on December 11, 2008, her agent said.")])[0]
    assert own_date(body, not_after=NOW) == "2008-12-11"


def test_own_date_is_never_after_publication():
    _, body = parse_articles([("x", "Tickets for the June 5, 2027 final go on sale. The draw took place on May 1, 2027.")])[0]
    assert own_date(body, not_after=datetime(2027, 5, 2)) == "2027-05-01"
    assert own_date(body, not_after=datetime(2027, 6, 30)) == "2027-06-05"   # no tense cue: first date
    assert own_date(body, not_after=datetime(2027, 4, 1)) is None
    _, body = parse_articles([("x", "The final is in June 2027. The draw took place on May 1, 2027.")])[0]
    assert own_date(body, not_after=datetime(2027, 5, 2)) == "2027-05-01"   # a later month is skipped too
    assert own_date(body, not_after=datetime(2027, 6, 30)) is None          # a month first: no day


def test_own_date_resolves_relative_days_against_publication(parsed):
    _, body = parsed["headline"]
    assert own_date(body, datetime(2021, 3, 5, 12, 0), not_after=datetime(2021, 3, 5, 12, 0)) == "2021-03-03"


# ----------------------------------------------------------------- rules on hand-built docs
def _doc(words, tags, ents):
    """A tagged Doc without a model: ``ents`` are (start, end, label) token ranges."""
    from spacy.tokens import Doc, Span as SpacySpan

    from services.common.nlp import blank_vocab_nlp

    doc = Doc(blank_vocab_nlp().vocab, words=words, tags=tags,
              sent_starts=[True] + [False] * (len(words) - 1))
    doc.ents = [SpacySpan(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def test_outlet_noun_after_place_taken_in_and_trailing_function_words_trimmed():
    from services.entities.extract import body_candidates

    words = "Officials said the Brenton Courier reported that the Halden Recovery in was closed .".split()
    tags = ["NNS", "VBD", "DT", "NNP", "NNP", "VBD", "IN", "DT", "NNP", "NNP", "IN", "VBD", "VBN", "."]
    doc = _doc(words, tags, [(3, 4, "GPE"), (8, 11, "ORG")])
    cands = {c.text: c.label for c in body_candidates(doc)}
    assert cands == {"Brenton Courier": "ORG", "Halden Recovery": "ORG"}


def _spaced_doc(tokens, ents):
    """Like :func:`_doc` with explicit spacing: ``tokens`` are (word, tag, space_after) triples."""
    from spacy.tokens import Doc, Span as SpacySpan

    from services.common.nlp import blank_vocab_nlp

    words, tags, spaces = zip(*tokens)
    doc = Doc(blank_vocab_nlp().vocab, words=list(words), tags=list(tags), spaces=list(spaces),
              sent_starts=[True] + [False] * (len(words) - 1))
    doc.ents = [SpacySpan(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def test_untagged_recurrence_of_a_known_name_is_a_mention():
    words = "Jane Doe met Orland officials . Later Doe said Orland agreed .".split()
    tags = ["NNP", "NNP", "VBD", "NNP", "NNS", ".", "RB", "NNP", "VBD", "NNP", "VBD", "."]
    doc = _doc(words, tags, [(0, 2, "PERSON"), (3, 4, "ORG")])
    names = _names(extract_entities(doc))
    assert [m.text for m in names["Jane Doe"].mentions] == ["Jane Doe", "Doe"]
    # a one-word name the article never anchors to a fuller one is not propagated
    assert [m.text for m in names["Orland"].mentions] == ["Orland"]


def test_recurrence_glued_to_another_proper_noun_or_ambiguous_is_not_propagated():
    words = "Jane Doe spoke . Shares of Doe Industries fell .".split()
    tags = ["NNP", "NNP", "VBD", ".", "NNS", "IN", "NNP", "NNPS", "VBD", "."]
    doc = _doc(words, tags, [(0, 2, "PERSON")])
    assert [m.text for e in extract_entities(doc) for m in e.mentions] == ["Jane Doe"]
    words = "Jane Doe met John Doe . Later Doe left .".split()
    tags = ["NNP", "NNP", "VBD", "NNP", "NNP", ".", "RB", "NNP", "VBD", "."]
    doc = _doc(words, tags, [(0, 2, "PERSON"), (3, 5, "PERSON")])
    assert sorted(m.text for e in extract_entities(doc) for m in e.mentions) == ["Jane Doe", "John Doe"]


def test_quoted_name_is_a_title_whatever_the_tagger_says():
    doc = _spaced_doc([("Critics", "NNS", True), ("loved", "VBD", True), ("'", "``", False), ("Long", "NNP", True),
                       ("Way", "NNP", True), ("Home", "NNP", False), ("'", "''", True), ("again", "RB", False),
                       (".", ".", False)], [(3, 6, "PERSON")])
    ents = extract_entities(doc)
    assert [(e.name, e.type) for e in ents] == [("Long Way Home", "WORK_OF_ART")]


def test_facility_head_determiner_and_numeral_names():
    from services.entities.extract import body_candidates

    words = "Fans of the 49ers met at the Orland Theatre , this Brenton Times reported .".split()
    tags = ["NNS", "IN", "DT", "NNPS", "VBD", "IN", "DT", "NNP", "NNP", ",", "DT", "NNP", "NNP", "VBD", "."]
    doc = _doc(words, tags, [(3, 4, "ORG"), (7, 9, "ORG"), (10, 13, "ORG")])
    cands = {c.text: c.label for c in body_candidates(doc)}
    assert cands == {"49ers": "ORG", "Orland Theatre": "FAC", "Brenton Times": "ORG"}


def test_surname_tagged_as_place_is_the_person_unless_after_a_locative():
    words = "Jane Doe arrived . Doe spoke in Doe later , and the Falcons cheered .".split()
    tags = ["NNP", "NNP", "VBD", ".", "NNP", "VBD", "IN", "NNP", "RB", ",", "CC", "DT", "NNPS", "VBD", "."]
    from services.entities.extract import body_candidates

    doc = _doc(words, tags, [(0, 2, "PERSON"), (4, 5, "GPE"), (7, 8, "GPE"), (12, 13, "PERSON")])
    labels = [(c.text, c.label) for c in body_candidates(doc)]
    assert labels == [("Jane Doe", "PERSON"), ("Doe", "PERSON"),
                      ("Doe", "GPE"),       # "in Doe" is a place
                      ("Falcons", "ORG")]   # a plural name after "the" is a team, not a person
    names = _names(extract_entities(doc))
    assert names["Jane Doe"].type == "PERSON" and "Doe" not in names


def test_entity_with_list_comma_is_split_but_abbreviations_kept():
    from services.entities.extract import body_candidates

    words = "Visitors from Orland , Brenton met Dale Ambers , Jr. today .".split()
    tags = ["NNS", "IN", "NNP", ",", "NNP", "VBD", "NNP", "NNP", ",", "NNP", "NN", "."]
    doc = _doc(words, tags, [(2, 5, "GPE"), (6, 10, "PERSON")])
    assert [c.text for c in body_candidates(doc)] == ["Orland", "Brenton", "Dale Ambers , Jr."]


def test_the_entities_result_bounds_the_own_date_by_when_the_article_was_sent():
    """Without a publication time, the producer's send time bounds it (an archive replayed
    today still never takes a date after today)."""
    from schemas.models import ArticleMeta
    from services.pipeline import entities_from_docs

    title, body = parse_articles([("Cup draw", "Tickets for the June 5, 2031 final go on sale. "
                                               "The draw took place on May 1, 2029.")])[0]
    meta = ArticleMeta(article_id="a", title="Cup draw", content_hash="0" * 64, produced_at=datetime(2030, 1, 1))
    res = entities_from_docs(meta, title, body)
    assert res.own_date == "2029-05-01"
    assert res.dates == ["2031-06-05", "2029-05-01"]   # every date still counts for the time penalty
