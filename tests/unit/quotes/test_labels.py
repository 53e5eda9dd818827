"""Speakers given as labels: round-ups ("Name, affiliation:" or the line above) and transcripts."""
import pytest

from services.common.nlp import parse_articles
from services.quotes.extract import extract_quotes

TEXTS = {
    "roundup": "Reactions poured in on Tuesday after the vote.\n\n"
               "Maren Holt, Veldoria Farmers Union: \"This is a dark day for growers.\"\n\n"
               "Piet Alder, mayor of Brenton: \"We will fight it in every court.\"\n",
    "line_above": "Reactions poured in on Tuesday after the vote.\n\n"
                  "Maren Holt, Veldoria Farmers Union\n\"This is a dark day for growers.\"\n\n"
                  "Piet Alder, mayor of Brenton\n\"We will fight it in every court.\"\n",
    "transcript": "The debate between Maren Holt and Piet Alder turned sharp on Monday night.\n\n"
                  "HOLT: \"We have no choice but to raise the levy.\"\n\n"
                  "ALDER: \"That is simply not true.\"\n",
    "sentence_above": "The council met on Tuesday and voted against the levy.\n"
                      "\"This is a dark day for growers.\"\n",
    "colon_sentence": "Lena Korr, a lawyer for the growers, said the rules were \"written for the big farms.\" "
                      "Piet Alder, director of the Brenton Growers Union's legal programme, was blunt:\n"
                      "\"We will see them in court.\"\n",
    "title_line": "Maren Holt-Maren Holt: \"Iron Lady\" Of Brenton Retires At 70\n"
                  "The former mayor said goodbye on Friday.\n",
}


@pytest.fixture(scope="module")
def quotes():
    docs = parse_articles([("Vote", body) for body in TEXTS.values()])
    return {k: extract_quotes(b, t) for k, (t, b) in zip(TEXTS, docs)}


@pytest.mark.parametrize("key", ["roundup", "line_above"])
def test_name_affiliation_label_gives_the_speaker(quotes, key):
    assert [q.speaker for q in quotes[key]] == ["Maren Holt", "Piet Alder"]
    assert {q.speaker_type for q in quotes[key]} == {"named"}


def test_transcript_label_resolves_to_the_full_name(quotes):
    assert [q.speaker for q in quotes["transcript"]] == ["Maren Holt", "Piet Alder"]


def test_a_sentence_above_is_not_a_label(quotes):
    assert [q.speaker for q in quotes["sentence_above"]] != ["The council"]
    assert all(q.speaker is None or "council" not in q.speaker.lower() for q in quotes["sentence_above"])


def test_a_quote_inside_a_title_line_is_not_labelled(quotes):
    assert all(q.speaker != "Maren Holt" for q in quotes["title_line"])


def test_a_sentence_ending_in_a_colon_introduces_its_subjects_quote(quotes):
    # not the speaker of the reporting verb in the sentence before
    assert [q.speaker for q in quotes["colon_sentence"]] == ["Lena Korr", "Piet Alder"]
