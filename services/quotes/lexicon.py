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


def _endings(name: str) -> tuple[str, ...]:
    """A list of word endings as a tuple, the form ``str.endswith`` takes."""
    return tuple(sorted(lexicon.words(name)))


# ---------------------------------------------------------------- grammar (closed classes)
PRONOUNS_MALE = frozenset({"he", "him", "his", "himself"})
PRONOUNS_FEMALE = frozenset({"she", "her", "hers", "herself"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their", "themselves", "we"})
PRONOUNS_NEUTER = frozenset({"it", "its"})

# ---------------------------------------------------------------- cues and quote filters
SPEECH_VERBS = lexicon.words("speech_verbs")
NAMING_VERBS = lexicon.words("naming_verbs")
LISTENER_VERBS = lexicon.words("listener_verbs")
SUBORDINATING_CONJUNCTIONS = lexicon.words("subordinating_conjunctions")
SENTENCE_ABBREVIATIONS = lexicon.words("sentence_abbreviations")
WORK_NOUNS = lexicon.words("work_nouns")
NAMING_CUES = lexicon.words("naming_cues")
STRONG_NAMING_CUES = lexicon.words("strong_naming_cues")
AFTER_TITLE_NOUNS = lexicon.words("after_title_nouns")
EVENT_NOUNS = lexicon.words("event_nouns")
HONOUR_NOUNS = lexicon.words("honour_nouns")
TITLE_CASE_MINOR_WORDS = lexicon.words("title_case_minor_words")

# ---------------------------------------------------------------- speakers
TITLE_WORDS = lexicon.person_words("title")
PERSON_NOUNS = lexicon.person_words("person_noun")
PERSON_SUFFIXES = _endings("person_noun_suffixes")
APPOSITION_PERSON_SUFFIXES = _endings("apposition_person_suffixes")
ORG_NOUNS = lexicon.words("speaker_org_nouns")
THING_NOUNS = lexicon.words("thing_nouns")
DOCUMENT_NOUNS = lexicon.words("document_nouns")
ISSUING_VERBS = lexicon.words("issuing_verbs")
PRESS_ORG_KINDS = _groups("press_org_kinds")
ANONYMOUS_NOUNS = lexicon.words("anonymous_source_nouns")
GROUP_WORDS = lexicon.words("group_words")
ROLE_SYNONYMS = dict(_rows("role_synonyms"))
COURTESY_TITLES = lexicon.words("courtesy_titles")
PERSON_NAME_TITLES = lexicon.words("person_name_titles")

# ---------------------------------------------------------------- gender evidence
HONORIFICS_MALE = lexicon.words("honorifics_male")
HONORIFICS_FEMALE = lexicon.words("honorifics_female")
FEMALE_NOUNS = lexicon.words("female_nouns")
MALE_NOUNS = lexicon.words("male_nouns")
FIRST_NAMES_FEMALE = lexicon.words("first_names_female")
FIRST_NAMES_MALE = lexicon.words("first_names_male")
FEMALE_NAME_ENDINGS = _endings("female_name_endings")
MALE_NAMES_FEMALE_ENDINGS = lexicon.words("male_names_female_endings")
