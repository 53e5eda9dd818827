"""Speakers: named people with roles, surnames, organisations, numbered designations."""
from __future__ import annotations

import spacy
from spacy.tokens import Doc

from services.quotes.extract import extract_quotes

from .articles import quotes


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


def test_organisation_speaker(docs):
    (q,) = quotes(docs, "organisation")
    assert q.speaker_type == "organisation" and "Foreign Ministry" in q.speaker


def test_numbered_designation_is_part_of_the_name(docs):
    (q,) = quotes(docs, "juror_number")
    assert q.speaker == "Juror No. 4"
    (q,) = quotes(docs, "juror_number_before")
    assert q.speaker == "Juror No. 12", "never a bare '.' as the speaker"


def test_person_at_the_end_of_an_organisation_subject_speaks(docs):
    (q,) = quotes(docs, "org_role_person")
    assert q.speaker == "Harriet Quill" and q.speaker_type == "named"
    (q,) = quotes(docs, "org_not_person")
    assert q.speaker != "Mara Quill", "a person after 'of' with no role noun before the name does not speak"


def test_person_noun_joined_to_a_named_role_is_that_person(docs):
    (q,) = quotes(docs, "role_and_role_person")
    assert q.speaker == "Vera Lund" and q.speaker_type == "named"
    (q,) = quotes(docs, "lawyer_for_person")
    assert q.speaker != "Vera Lund", "the lawyer for a person is not the person"


def test_verb_with_its_own_indirect_speech_does_not_introduce_the_quote(docs):
    (q,) = quotes(docs, "inserted_indirect")
    assert q.speaker == "Paul Garner"


def test_indirect_speech_ending_in_a_colon_goes_on_with_its_speaker():
    # a fixed parse (the model's, on a longer sentence): the quote is a second clausal complement of "said"
    words = "Pell reported that Norland said the leak lasted over the winter : “ unlogged access to records " \
            "lasted until June . ”".split()
    spaces = [True] * 10 + [False, True, False, True, True, True, True, True, True, False, False, False]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=spaces,
              pos="PROPN VERB SCONJ PROPN VERB DET NOUN VERB ADP DET NOUN PUNCT PUNCT ADJ NOUN ADP NOUN VERB ADP "
                  "PROPN PUNCT PUNCT".split(),
              tags="NNP VBD IN NNP VBD DT NN VBD IN DT NN : `` JJ NN IN NNS VBD IN NNP . ''".split(),
              lemmas="Pell report that Norland say the leak last over the winter : “ unlogged access to record last "
                     "until June . ”".split(),
              heads=[1, 1, 4, 4, 1, 6, 7, 4, 7, 10, 8, 17, 14, 14, 17, 14, 15, 4, 17, 18, 1, 1],
              deps="nsubj ROOT mark nsubj ccomp det nsubj ccomp prep det pobj punct punct amod nsubj prep pobj "
                   "ccomp prep pobj punct punct".split(),
              ents=["B-PERSON", "O", "O", "B-ORG"] + ["O"] * 15 + ["B-DATE", "O", "O"])
    (q,) = extract_quotes(doc, None)
    assert q.speaker == "Norland", "a colon after indirect speech goes on with its speaker"


def test_closing_inversion_after_a_comma(docs):
    (q,) = quotes(docs, "closing_inversion")
    assert q.speaker == "Harbor Users Association" and q.speaker_type == "organisation"


def test_closing_inversion_never_takes_what_a_naming_verb_names():
    # a fixed parse (the model's, on a longer sentence): "called" got no subject of its own
    words = "Dale Rusk , who had fought the plan , called the agreement “ a long delay . ”".split()
    spaces = [True, False, True, True, True, True, True, False, True, True, True, True, False, True, True,
              False, False, False]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=spaces,
              pos="PROPN PROPN PUNCT PRON AUX VERB DET NOUN PUNCT VERB DET NOUN PUNCT DET ADJ NOUN PUNCT PUNCT".split(),
              tags="NNP NNP , WP VBD VBN DT NN , VBD DT NN `` DT JJ NN . ''".split(),
              lemmas="Dale Rusk , who have fight the plan , call the agreement “ a long delay . ”".split(),
              heads=[1, 1, 1, 5, 5, 1, 7, 5, 1, 1, 11, 9, 15, 15, 15, 9, 9, 9],
              deps="compound ROOT punct nsubj aux relcl det dobj punct dep det dobj punct det amod oprd punct "
                   "punct".split(),
              ents=["B-PERSON", "I-PERSON"] + ["O"] * 16)
    (q,) = extract_quotes(doc, None)
    assert q.speaker == "Dale Rusk", "'called X \"...\"' names its object: the object is not the speaker"


def test_organisation_by_its_acronym_takes_the_spelled_out_name(docs):
    (q,) = quotes(docs, "acronym")
    assert q.speaker == "Coastal Birds Protection League" and q.speaker_type == "organisation"


def test_a_thing_that_cannot_speak_yields_to_the_reporting_verb_around_it(docs):
    (q,) = quotes(docs, "mute_subject")
    assert q.speaker_type == "description" and "harbor official" in q.speaker


def test_a_document_introducing_the_quote_speaks_for_its_issuer(docs):
    (q,) = quotes(docs, "in_a_statement")
    assert q.speaker == "Mila Dorne's agents"
    (q,) = quotes(docs, "in_a_letter")
    assert q.speaker == "Riverside Tenants Union" and q.speaker_type == "organisation"


def test_who_makes_its_verb_a_person_s_whatever_the_tagger_made_of_the_name(docs):
    (q,) = quotes(docs, "who_mangled_name")
    assert q.cue == "said", "the tagger makes a hyphenated name's last part a common noun; 'who said' still speaks"


def test_the_speaker_is_not_a_thing_in_the_clause_a_participle_hangs_from(docs):
    (q,) = quotes(docs, "mute_clause")
    assert q.speaker == "harbor officials"
