"""The word lists quote extraction uses.

Open-class lists (speech verbs, nouns of works, people, organisations and documents,
titles, first names ...) are data files in ``services/lexicon/data``, each with a header
saying what it holds and where it came from; this module loads them under the names the
extractor uses.  Closed-class grammar (pronouns) stays here as constants.
"""
from __future__ import annotations

from importlib import resources

from services import lexicon

__all__ = [
    "AFTER_TITLE_NOUNS", "ANONYMOUS_NOUNS", "APPOSITION_PERSON_SUFFIXES", "COURTESY_TITLES",
    "DOCUMENT_NOUNS", "EVENT_NOUNS", "FEMALE_NAME_ENDINGS", "FEMALE_NOUNS", "FIRST_NAMES_FEMALE",
    "FIRST_NAMES_MALE", "GROUP_WORDS", "HONORIFICS_FEMALE", "HONORIFICS_MALE", "HONOUR_NOUNS",
    "ISSUING_VERBS", "LISTENER_VERBS", "MALE_NAMES_FEMALE_ENDINGS", "MALE_NOUNS", "NAMING_CUES",
    "NAMING_VERBS", "ORG_NOUNS", "PERSON_NAME_TITLES", "PERSON_NOUNS", "PERSON_SUFFIXES",
    "PRESS_ORG_KINDS", "PRONOUNS_FEMALE", "PRONOUNS_MALE", "PRONOUNS_NEUTER", "PRONOUNS_PLURAL",
    "ROLE_SYNONYMS", "SENTENCE_ABBREVIATIONS", "SPEECH_VERBS", "STRONG_NAMING_CUES",
    "SUBORDINATING_CONJUNCTIONS", "THING_NOUNS", "TITLE_CASE_MINOR_WORDS", "TITLE_WORDS", "WORK_NOUNS",
]


def _rows(name: str) -> list[list[str]]:
    """The tab-separated rows of ``data/<name>.tsv`` (``#`` comment lines and blank lines skipped)."""
    text = resources.files(lexicon).joinpath("data", f"{name}.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _groups(name: str) -> tuple[frozenset[str], ...]:
    """The words of ``data/<name>.tsv`` (word, group) as one set per group, in file order."""
    groups: dict[str, set[str]] = {}
    for word, group in _rows(name):
        groups.setdefault(group, set()).add(word)
    return tuple(frozenset(g) for g in groups.values())


def _words(*names: str) -> tuple[frozenset[str], ...]:
    """The word sets of ``data/<name>.txt``, in the order named."""
    return tuple(lexicon.words(name) for name in names)


def _endings(*names: str) -> tuple[tuple[str, ...], ...]:
    """Lists of word endings, each as a tuple (the form ``str.endswith`` takes)."""
    return tuple(tuple(sorted(words)) for words in _words(*names))


# ---------------------------------------------------------------- grammar (closed classes)
PRONOUNS_MALE = frozenset({"he", "him", "his", "himself"})
PRONOUNS_FEMALE = frozenset({"she", "her", "hers", "herself"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their", "themselves", "we"})
PRONOUNS_NEUTER = frozenset({"it", "its"})

# ---------------------------------------------------------------- reporting verbs and their clauses
SPEECH_VERBS, NAMING_VERBS, LISTENER_VERBS, ISSUING_VERBS = _words(
    "speech_verbs", "naming_verbs", "listener_verbs", "issuing_verbs")
SUBORDINATING_CONJUNCTIONS, SENTENCE_ABBREVIATIONS = _words("subordinating_conjunctions", "sentence_abbreviations")

# ---------------------------------------------------------------- names in quote marks (not speech)
(WORK_NOUNS, NAMING_CUES, STRONG_NAMING_CUES, AFTER_TITLE_NOUNS, EVENT_NOUNS, HONOUR_NOUNS,
 TITLE_CASE_MINOR_WORDS) = _words("work_nouns", "naming_cues", "strong_naming_cues", "after_title_nouns",
                                  "event_nouns", "honour_nouns", "title_case_minor_words")

# ---------------------------------------------------------------- speakers
TITLE_WORDS, PERSON_NOUNS = lexicon.person_words("title"), lexicon.person_words("person_noun")
PERSON_SUFFIXES, APPOSITION_PERSON_SUFFIXES = _endings("person_noun_suffixes", "apposition_person_suffixes")
(ORG_NOUNS, THING_NOUNS, DOCUMENT_NOUNS, ANONYMOUS_NOUNS, GROUP_WORDS, COURTESY_TITLES,
 PERSON_NAME_TITLES) = _words("speaker_org_nouns", "thing_nouns", "document_nouns", "anonymous_source_nouns",
                              "group_words", "courtesy_titles", "person_name_titles")
PRESS_ORG_KINDS = _groups("press_org_kinds")
ROLE_SYNONYMS = dict(_rows("role_synonyms"))

# ---------------------------------------------------------------- gender evidence
(HONORIFICS_MALE, HONORIFICS_FEMALE, MALE_NOUNS, FEMALE_NOUNS, FIRST_NAMES_MALE, FIRST_NAMES_FEMALE,
 MALE_NAMES_FEMALE_ENDINGS) = _words("honorifics_male", "honorifics_female", "male_nouns", "female_nouns",
                                     "first_names_male", "first_names_female", "male_names_female_endings")
(FEMALE_NAME_ENDINGS,) = _endings("female_name_endings")
