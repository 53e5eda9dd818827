"""Unit tests of quote extraction on invented, generic sentences."""
from __future__ import annotations

import pytest

from services.common.nlp import doc_from_bytes, doc_to_bytes, parse_articles
from services.quotes.extract import extract_quotes

ARTICLES = {
    "after": ("Budget talks resume",
              "The council met on Monday.\n"
              "“We will not raise taxes this year,” Mayor Laura Benson said after the vote.\n"
              "\"It is over,\" said Thomas Reed, a spokesman for the opposition."),
    "before": ("Port reopens",
               "Harbour director Michael Dunn said: “The port is open again.”\n"
               "Dunn told reporters, \"Ships can dock from tomorrow.\""),
    "between": ("Team loses",
                "Coach Robert Miles was frustrated.\n"
                "“We played badly,” Miles said. “But we will come back stronger.”"),
    "description": ("Clark visits factory",
                    "Vice President Anna Clark toured the plant on Tuesday.\n"
                    "“This is what modern industry looks like,” the vice president said.\n"
                    "“The talks have stalled,” a senior official said."),
    "pronoun": ("Bridge closed",
                "Engineers inspected the bridge. Mr. Daniel Ortiz, the city engineer, ordered it closed.\n"
                "“The cables are corroded,” he said.\n"
                "Ms. Helen Park, who lives nearby, was worried. “My children cross it every day,” she added."),
    "organisation": ("Embassy statement",
                     "Protests continued outside the embassy.\n"
                     "“The safety of our staff is our priority,” the Foreign Ministry said in a statement."),
    "partial": ("Minister criticises plan",
                "Finance Minister Peter Hall called the proposal “a recipe for disaster” on Friday."),
    "headline": ("Clark says new budget is ‘a fair deal’ for families",
                 "Vice President Anna Clark defended the budget on Sunday.\n"
                 "“I believe this is a fair deal for families,” Clark told a radio station."),
    "titles": ("Actor returns",
               "The actor appeared on the TV show “Morning Brew” and starred in \"Night Train\" in 2005.\n"
               "He also joined CBS’s “Weekend Report” as a guest.\n"
               "“I missed acting,” said Paul Grant, the actor."),
    "apostrophes": ("Economy grows",
                    "Economist Maria Lopez was upbeat.\n"
                    "“It’s the country’s best year since the ’90s,” she said. Investors' mood improved."),
    "multipara": ("Long speech",
                  "Governor Ellen Marsh spoke for an hour.\n"
                  "“We have cut waste in every department.\n"
                  "“Next year we will do even more,” Marsh said."),
    "guillemets": ("Minister speaks",
                   "«We are ready to negotiate», said Foreign Minister Jan Novak."),
    "according": ("Deal signed",
                  "The agreement covers ten years, according to Sarah Mills. "
                  "“It is a historic day,” according to Sarah Mills, the trade envoy."),
    "introduced": ("Storm hits town",
                   "Emergency crews worked through the night, fire chief Robert Hale said.\n"
                   "“We cleared the main roads by dawn,” Hale said.\n"
                   "Local teacher Maria Santos, 34, lost her roof in the storm. “I heard a crack and ran outside.”"),
    "abbreviation": ("Bank robbed",
                     "“The suspect fled on foot,” State Police Lt. Karen Wells said. “We are searching the area.”"),
    "pair": ("New hosts named",
             "“They are the ideal choice,” said producers Alan Price and Mark Stone.\n"
             "“We could not be happier,” the pair said in a statement."),
    "quoted_as": ("Singer cancels tour",
                  "The agent of singer Paul Brandt spoke to a radio station. "
                  "The station quoted him as saying “he needs a long rest.”"),
    "same_gender": ("Court ruling",
                    "Lawyer Tom Becker met the judge, Anna Kovacs, on Monday. Becker asked for a delay but she refused.\n"
                    "“The law is clear,” she said."),
    "issuer": ("Reservoir closed",
               "The reservoir was closed on Monday, according to a statement from the regional water authority. "
               "Tests found high levels of algae.\n"
               "The statement said the water would be \"safe to drink again within a week.\""),
    "paper": ("Paper warns",
              "Leftist weekly Norrbladet warned that more protests would follow.\n"
              "“Nobody in power is listening,” the paper said."),
    "titles_scare": ("Director signs",
                     "Marta Kline, who directed \"Silver Lake,\" will direct the sequel to \"Harbor Lights,\" "
                     "studio sources said. She starred in such films as \"Red Sky,\" \"Cold Water\" and \"Blue Hour.\"\n"
                     "The studio rejected a \"take it or leave it\" offer, a spokesman said. Kline earned a nomination "
                     "for \"Outstanding Directing for a Drama Series.\"\n"
                     "“I am thrilled,” Kline said, calling the script “simply wonderful.”"),
}


@pytest.fixture(scope="module")
def docs():
    keys = list(ARTICLES)
    parsed = parse_articles([ARTICLES[k] for k in keys])
    return dict(zip(keys, parsed))


def quotes(docs, key):
    title, body = docs[key]
    return extract_quotes(body, title)


def test_speaker_after_with_role_and_inversion(docs):
    qs = quotes(docs, "after")
    assert [q.text for q in qs] == ["We will not raise taxes this year,", "It is over,"]
    assert qs[0].speaker == "Laura Benson" and qs[0].speaker_type == "named"
    assert qs[0].speaker_role == "Mayor" and qs[0].cue == "said" and qs[0].kind == "full"
    assert qs[1].speaker == "Thomas Reed"


def test_speaker_before_colon_and_surname(docs):
    qs = quotes(docs, "before")
    assert [q.speaker for q in qs] == ["Michael Dunn", "Michael Dunn"]
    assert qs[1].speaker_mention.text == "Dunn"


def test_speaker_between_parts_continuation(docs):
    qs = quotes(docs, "between")
    assert [q.speaker for q in qs] == ["Robert Miles", "Robert Miles"]
    assert qs[1].speaker_type == "continuation"


def test_description_resolution(docs):
    qs = quotes(docs, "description")
    assert qs[0].speaker == "Anna Clark" and qs[0].speaker_type == "description"
    assert qs[1].speaker == "a senior official" and qs[1].speaker_type == "description"


def test_pronoun_resolution_with_gender(docs):
    qs = quotes(docs, "pronoun")
    assert qs[0].speaker == "Daniel Ortiz" and qs[0].speaker_type == "pronoun"
    assert qs[1].speaker == "Helen Park"


def test_organisation_speaker(docs):
    (q,) = quotes(docs, "organisation")
    assert q.speaker_type == "organisation" and "Foreign Ministry" in q.speaker


def test_partial_quote(docs):
    (q,) = quotes(docs, "partial")
    assert q.text == "a recipe for disaster" and q.kind == "partial"
    assert q.speaker == "Peter Hall" and q.cue == "called"


def test_headline_quote(docs):
    title, body = docs["headline"]
    qs = extract_quotes(body, title)
    head = [q for q in qs if q.kind == "headline"]
    assert len(head) == 1 and head[0].text == "a fair deal"
    assert title.text[head[0].start:head[0].end] == "a fair deal"
    assert head[0].speaker == "Anna Clark"


def test_titles_are_not_quotes(docs):
    qs = quotes(docs, "titles")
    assert [q.text for q in qs] == ["I missed acting,"]
    assert qs[0].speaker == "Paul Grant"


def test_apostrophes_do_not_split_quotes(docs):
    (q,) = quotes(docs, "apostrophes")
    assert q.text == "It’s the country’s best year since the ’90s,"
    assert q.speaker == "Maria Lopez"


def test_unclosed_multi_paragraph_quote(docs):
    qs = quotes(docs, "multipara")
    assert [q.text for q in qs] == ["We have cut waste in every department.", "Next year we will do even more,"]
    assert all(q.speaker == "Ellen Marsh" for q in qs)


def test_guillemets(docs):
    (q,) = quotes(docs, "guillemets")
    assert q.text == "We are ready to negotiate" and q.speaker == "Jan Novak"


def test_according_to(docs):
    (q,) = quotes(docs, "according")
    assert q.speaker == "Sarah Mills" and q.cue == "according to"


def test_offsets_exact(docs):
    for key in ARTICLES:
        title, body = docs[key]
        for q in extract_quotes(body, title):
            text = title.text if q.kind == "headline" else body.text
            assert text[q.start:q.end] == q.text
            if q.speaker_mention is not None:
                m = q.speaker_mention
                assert body.text[m.start:m.end] == m.text


def test_docbin_round_trip(docs):
    for key in ARTICLES:
        title, body = docs[key]
        rt_title, rt_body = doc_from_bytes(doc_to_bytes(title)), doc_from_bytes(doc_to_bytes(body))
        assert extract_quotes(rt_body, rt_title) == extract_quotes(body, title)


def test_no_quotes_and_empty_title(docs):
    _, body = parse_articles([("x", "Nothing was said here. It's quiet.")])[0]
    assert extract_quotes(body) == []


def test_new_speaker_introduced_without_verb(docs):
    qs = quotes(docs, "introduced")
    assert [q.speaker for q in qs] == ["Robert Hale", "Maria Santos"]
    assert qs[1].speaker_type == "continuation"


def test_abbreviation_dot_does_not_end_the_attribution(docs):
    qs = quotes(docs, "abbreviation")
    assert [q.speaker for q in qs] == ["Karen Wells", "Karen Wells"]
    assert qs[0].cue == "said"


def test_the_pair_is_the_previous_joint_speakers(docs):
    qs = quotes(docs, "pair")
    assert qs[0].speaker == "Alan Price and Mark Stone"
    assert qs[1].speaker == "Alan Price and Mark Stone"


def test_pronoun_skips_person_of_other_gender(docs):
    (q,) = quotes(docs, "same_gender")
    assert q.speaker == "Anna Kovacs" and q.speaker_type == "pronoun"


def test_document_description_resolves_to_issuer(docs):
    (q,) = quotes(docs, "issuer")
    assert q.speaker == "the regional water authority" and q.kind == "partial"


def test_typed_organisation_description(docs):
    (q,) = quotes(docs, "paper")
    assert q.speaker == "Norrbladet"


def test_titles_lists_awards_and_scare_modifiers_are_not_quotes(docs):
    qs = quotes(docs, "titles_scare")
    assert [q.text for q in qs] == ["I am thrilled,", "simply wonderful."]
    assert qs[1].kind == "partial" and qs[1].speaker == "Marta Kline"
