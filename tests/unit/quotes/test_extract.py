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
    # ---- rules added for speaker attribution and scare quotes
    "said_to_be": ("Singer dies",
                   "\"She changed music forever,\" said manager Peter Cole in a statement. \"She was one of a kind.\"\n"
                   "Hart, said to be the richest singer of her era, retired in 1990."),
    "new_sentence_verb": ("Rule changed",
                          "\"This rule protects nobody,\" said Laura Finch, a lawyer with a green group. "
                          "\"It will be challenged in court.\" The chamber of commerce welcomed the rule change."),
    "introduces_next": ("Rule changed",
                        "\"This rule protects nobody,\" said Laura Finch, a lawyer with a green group. "
                        "\"It will be challenged in court.\" Tom Hardy, a spokesman for the ministry, said, "
                        "\"We will review it.\""),
    "subordinate_after": ("Court fight",
                          "Prosecutor Dana White said he was \"totally surprised\" because lawyer Mark Stone "
                          "had agreed to another plan."),
    "who_clause": ("Riot",
                   "Police had to restrain an elderly woman outside the bank, who wept and cried \"help us, help us.\""),
    "group_not_antecedent": ("Crisis",
                             "\"I understand the anger,\" Paul Martin said. But Canadians must accept that without the "
                             "cuts, \"the situation would be far worse,\" he said."),
    "intro_comma": ("Wildlife rule",
                    "Andrew Price, director of the wildlife program, commented,\n"
                    "\"This rule ignores the science.\""),
    "statement_by": ("Scientists react",
                     "Here is the full statement by Maria Lind, director of the science program:\n"
                     "\"These changes undermine the law.\""),
    "statement_compound": ("Navy rescue",
                           "The navy said on Sunday that it had rescued a ship.\n"
                           "The frigate chased two boats after an alarm, a Transport Ministry statement said. "
                           "\"The boats stopped and the crew surrendered.\""),
    "indirect_before": ("Bank blast",
                        "Witness Carl Jensen lives nearby. He said the bank was evacuated at noon. "
                        "A few minutes later, \"I heard a loud bang.\""),
    "who_head_antecedent": ("Actor in rehab",
                            "\"She is doing well,\" spokesman Jack Brown said. Brown gave no details. "
                            "The news surprised producer Tom Hale, who worked with her last year. "
                            "\"She was always professional,\" he said."),
    "named_verb": ("Model dies",
                   "She posed for the magazine Starlight, which named her \"the face of the decade.\""),
    "scare_relative": ("Actress dies",
                       "Ann Lee, whose swimming led to a career of \"water-musicals\" made for her, died on Monday, "
                       "her spokesman said."),
    "scare_while": ("Rule", "While the old rule banned reviews on the basis of \"regional trends\" such as heat, "
                            "an official speaking anonymously said the new rule would allow them."),
    "scare_so_called": ("Rule reversed", "The studio will reverse the so-called \"fair share\" rule, a spokesman said."),
    "scare_billed_as": ("Old film", "The film was billed as \"the best musical you will ever see\" when it opened "
                                    "in 1950, critics said."),
    "kept_partial": ("Rule", "The official said the review would find \"a clear link\" between the project and the damage."),
    "juror_number": ("Verdict", "\"Everyone was respectful,\" said Juror No. 4, one of the women on the panel."),
    # the parser makes the bare "." of "No." the subject when the designation precedes the verb
    "juror_number_before": ("Verdict", "The panel met for four days. \"We were searching,\" Juror No. 12 said. "
                                       "An angry defendant was recorded."),
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


@pytest.mark.parametrize("name, speaker", [
    ("between", "Robert Miles"),      # speaker between the two parts
    ("said_to_be", "Peter Cole"),     # "said to be" inside the second part is not a cue
])
def test_second_part_continues_the_first_speaker(docs, name, speaker):
    qs = quotes(docs, name)
    assert [q.speaker for q in qs] == [speaker, speaker]
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


def test_titles_lists_awards_and_scare_modifiers_are_not_quotes(docs):
    qs = quotes(docs, "titles_scare")
    assert [q.text for q in qs] == ["I am thrilled,", "simply wonderful."]
    assert qs[1].kind == "partial" and qs[1].speaker == "Marta Kline"


# ---------------------------------------------------------------- newer rules
def test_next_sentence_with_its_own_object_is_not_the_cue(docs):
    qs = quotes(docs, "new_sentence_verb")
    assert qs[1].speaker == "Laura Finch" and qs[1].cue is None


def test_cue_introducing_the_next_quote_is_not_taken_by_the_previous_one(docs):
    qs = quotes(docs, "introduces_next")
    assert [q.speaker for q in qs] == ["Laura Finch", "Laura Finch", "Tom Hardy"]


def test_who_clause_attached_to_a_thing_goes_back_to_the_person(docs):
    (q,) = quotes(docs, "who_clause")
    assert q.speaker == "an elderly woman" and q.cue == "cried"


def test_plural_proper_noun_is_not_a_pronoun_antecedent(docs):
    qs = quotes(docs, "group_not_antecedent")
    assert qs[1].speaker == "Paul Martin" and qs[1].speaker_type == "pronoun"


def test_intro_line_ending_in_reporting_verb_and_comma(docs):
    (q,) = quotes(docs, "intro_comma")
    assert q.speaker == "Andrew Price" and q.cue == "commented"


def test_indirect_speech_before_cueless_quote_gives_the_source(docs):
    (q,) = quotes(docs, "statement_compound")
    assert q.speaker == "Transport Ministry"
    (q,) = quotes(docs, "indirect_before")
    assert q.speaker == "Carl Jensen"


def test_name_heading_a_who_clause_is_a_topical_antecedent(docs):
    qs = quotes(docs, "who_head_antecedent")
    assert qs[1].speaker == "Tom Hale" and qs[1].speaker_type == "pronoun"


def test_active_naming_verb_is_a_cue(docs):
    (q,) = quotes(docs, "named_verb")
    assert q.cue == "named" and "Starlight" in q.speaker


def test_scare_quotes_in_reporter_framing_are_dropped(docs):
    for key in ("scare_relative", "scare_while", "scare_so_called", "scare_billed_as"):
        assert quotes(docs, key) == [], key
    (q,) = quotes(docs, "kept_partial")
    assert q.text == "a clear link" and q.kind == "partial"


def test_numbered_designation_is_part_of_the_name(docs):
    (q,) = quotes(docs, "juror_number")
    assert q.speaker == "Juror No. 4"
    (q,) = quotes(docs, "juror_number_before")
    assert q.speaker == "Juror No. 12", "never a bare '.' as the speaker"


def test_named_thing_is_not_a_person():
    from services.quotes.names import is_thing_role
    assert is_thing_role("a navy frigate") and is_thing_role("the cargo ship")
    assert not is_thing_role("the ship's captain") and not is_thing_role("a senior official")


def test_positional_subject_skips_a_relative_clause():
    from services.quotes.context import Context
    from services.quotes.subjects import _skip_relative
    from services.quotes.names import build_registry
    _, body = parse_articles([("x", "Chairman Nick Rowe (D-Ohio), who had sought to stop the plan through "
                                    "legislation, called the move a mistake.")])[0]
    ctx = Context(body, build_registry(body), [])
    verb = next(t for t in body if t.text == "called")
    head = _skip_relative(ctx, verb, {t.i for t in body})
    assert head is not None and head.text == "Rowe"


# ---------------------------------------------------------------- one quote, one speaker
@pytest.mark.parametrize("key, speaker", [
    ("paper", "Norrbladet"),
    ("subordinate_after", "Dana White"),
    ("statement_by", "Maria Lind"),
], ids=['typed_organisation_description', 'reporting_verb_in_a_because_clause_is_not_the_cue', 'statement_by_a_person_is_that_person'])
def test_single_quote_gets_its_speaker(docs, key, speaker):
    (q,) = quotes(docs, key)
    assert q.speaker == speaker
