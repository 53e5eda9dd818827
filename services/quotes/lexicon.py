"""Generic English word lists used by quote extraction (no names, no outlets)."""
from __future__ import annotations

from services import lexicon

# Lemmas of verbs that report speech or writing.
SPEECH_VERBS = frozenset("""
say tell add continue write warn insist note stress explain argue state declare announce
claim remark reply respond ask recall acknowledge admit confirm deny suggest agree conclude
comment observe predict promise vow urge tweet post describe call quip joke laugh concede
point report testify shout scream cry whisper mutter caution emphasize emphasise reiterate
maintain contend assert allege complain lament recount boast plead demand question wonder
muse exclaim sigh counter retort reckon tout praise blast slam criticize criticise dismiss
brand label characterize characterise term dub quote conclude advise assure
inform announce disclose reveal pledge threaten fume rage gush rave hail welcome concur
recommend propose proclaim predict speak describe thunder name
""".split())

# Verbs that introduce a quote only loosely (the quote is what was *called* etc.);
# they still make a partial quote attributable.
NAMING_VERBS = frozenset("call describe dub brand label term characterize characterise name".split())

# Nouns whose presence right before a quoted title marks it as the name of a work.
WORK_NOUNS = frozenset("""
show series film movie book novel memoir biography autobiography album song single play musical
sitcom drama programme program documentary episode operation campaign slogan hashtag column
magazine newspaper blog podcast franchise sequel prequel trilogy saga installment instalment
edition headline tagline brand label game video poem painting exhibition exhibit tour opera
ballet comedy thriller soap mission project initiative exercise codename code-name role
character nickname motto anthem hit track chapter article essay report study paper
""".split())

# Words right before a quoted name that introduce it as a name, not speech.
NAMING_CUES = frozenset("""
titled entitled dubbed nicknamed named called so-called as starred starring star stars
co-starred appeared appearing appear appears in on of aka
""".split())

# Nouns right after a quoted title that show it was a title (the "Scrubs" star).
AFTER_TITLE_NOUNS = frozenset("""
star stars co-star actor actress anchor host hosts author director producer series show film
movie sequel franchise saga books book novel cast premiere trailer fans set season episode
creator writer screenwriter soundtrack role character
""".split())

PRONOUNS_MALE = frozenset({"he", "him", "his", "himself"})
PRONOUNS_FEMALE = frozenset({"she", "her", "hers", "herself"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their", "themselves", "we"})
PRONOUNS_NEUTER = frozenset({"it", "its"})
SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you"})

HONORIFICS_MALE = frozenset({"mr", "mr.", "sir", "lord", "mister", "monsieur", "herr", "senor"})
HONORIFICS_FEMALE = frozenset({"mrs", "mrs.", "ms", "ms.", "miss", "madam", "dame", "lady", "mme", "mme."})

FEMALE_NOUNS = frozenset("""
actress spokeswoman chairwoman congresswoman businesswoman councilwoman woman girl lady wife
mother daughter sister aunt niece queen princess duchess grandmother widow girlfriend bride
policewoman sportswoman stepmother stepdaughter heroine hostess waitress empress
""".split())
MALE_NOUNS = frozenset("""
actor spokesman chairman congressman businessman councilman man boy gentleman husband father
son brother uncle nephew king prince duke grandfather widower boyfriend groom policeman
sportsman stepfather stepson hero emperor
""".split())

# Titles that can precede a name and are not part of it.
TITLE_WORDS = lexicon.person_words("title")

# Head nouns of speakers that are organisations.
ORG_NOUNS = frozenset("""
ministry department office administration government police company agency council committee
commission house team navy army military force forces coalition party court board bureau
embassy union organisation organization federation association institute group firm studio
network league club authority authorities prosecutors service services campaign kremlin
parliament congress senate cabinet white palace statement website report
""".split())

# Nouns that denote people; a description speaker's head is usually one of
# these (or ends like one: -er, -or, -ist, -ian, -ant, -ent).
PERSON_NOUNS = lexicon.person_words("person_noun")
PERSON_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "ee", "man", "woman", "person")

# Head nouns of appositions that present a name as a thing, not a person
# ("X, a navy frigate"): vehicles, animals and places.
THING_NOUNS = frozenset("""
ship warship vessel boat frigate destroyer cruiser carrier submarine tanker trawler freighter ferry
yacht dhow tug barge liner plane aircraft jet helicopter airliner drone rocket satellite car truck
train locomotive horse dog cat racehorse colt filly mare stallion hotel building bridge
""".split())
