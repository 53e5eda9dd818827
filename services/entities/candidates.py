"""Entity candidates: the spans of spaCy's NER, repaired, as typed records.

A candidate is an entity span split at line breaks, list commas and internal
possessives ("Orland Council's Budget Office"), trimmed of leading articles and
determiners, role words (PERSON), trailing possessives, function words and
punctuation, extended over proper nouns the tagger left just outside it ("The
[Brenton] Courier"), and dropped when it is junk (URLs, all-lowercase, digits,
role-only spans, bylines).  Works on docs rebuilt from DocBin bytes: it reads only
text, offsets, tags, lemmas, sentence starts and entity labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

from services import lexicon
from services.common.doc_text import text_of
from services.entities.canonical import APOS, canonical_key, normalise_surface, strip_possessive

__all__ = ["NUMERIC_TYPES", "PLACE_LABELS", "Candidate", "clean_entity", "drop_bylines", "extend_right",
           "is_junk", "is_possessive", "is_role", "trim"]

#: spaCy labels that are values, not entities.
NUMERIC_TYPES = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL"})
#: Titles and roles that newswire glues in front of names ("Defense Minister X").
ROLE_WORDS = lexicon.person_words("role")
#: Office / department words that NER sometimes tags alone in "Defense Minister".
OFFICE_WORDS = lexicon.words("office_words")
#: Role words that, directly before a name, make it a person ("President X").
PERSON_TITLES = lexicon.person_words("person_title")
#: Website labels that start tag/topic lines ("Tags Arvell administration ...").
CHROME_WORDS = lexicon.words("chrome_words")
#: Lowercase heads that make a different entity than the name before them.
KEEP_TAIL_NOUNS = lexicon.words("keep_tail_nouns")
#: Lowercase particles inside names ("Omar bin Sahel", "Jan van Orland").
NAME_PARTICLES = lexicon.words("name_particles")
_STOP_WORDS = STOP_WORDS
_TITLE_TYPES = frozenset({"WORK_OF_ART", "EVENT", "LAW"})
#: Tags of lowercase words a name never ends with, whatever its type (prepositions,
#: determiners, conjunctions, "to", relative and possessive pronouns).
_TRAILING_FUNCTION_TAGS = frozenset({"IN", "DT", "CC", "TO", "WDT", "WP", "WP$", "PRP$"})
#: Tags of lowercase words a name never starts with (determiners, possessive pronouns).
_LEADING_FUNCTION_TAGS = frozenset({"DT", "PDT", "PRP$", "WDT", "WP$"})
_EDGE = " \t\r\n\"“”«»()[]{},;:!?*•|/\\-–—." + APOS
_URL_RE = re.compile(r"(?:https?:|www\.|\.(?:com|org|net|co|io|gov|edu)\b|@|/)", re.IGNORECASE)
#: A numeral glued to a word of three or more letters names a team or band ("49ers"),
#: unlike ordinals, decades and units ("85th", "1990s", "10km").
_NUMERAL_NAME_RE = re.compile(r"\d+[a-z]{3,}")
_BYLINE_RE = re.compile(r"^\s*(?:by|written by|reporting by)\s+[A-Z]", re.IGNORECASE)


@dataclass
class Candidate:
    """One candidate mention: a trimmed token range and its char offsets."""

    start: int          # char offset into doc.text
    end: int
    text: str
    label: str
    tok_start: int
    tok_end: int
    headline: bool = False
    key: str | None = None
    quoted: bool = False   # written between quote marks: a title ("'Jane Eyre'")
    word_recurrence: bool = False   # an untagged recurrence of a twice-tagged one-word name (entity output only)

    def match_key(self) -> str:
        """Matching key of the candidate (cached: the label may change later, the key not)."""
        if self.key is None:
            self.key = canonical_key(normalise_surface(self.text, self.label))
        return self.key


# ----------------------------------------------------------------- cleaning
PLACE_LABELS = frozenset({"GPE", "LOC", "NORP"})
_EXTENDABLE = frozenset({"GPE", "LOC", "NORP", "ORG", "FAC"})


def extend_right(doc: Doc, start: int, end: int, label: str, headline: list[bool]) -> tuple[int, str]:
    """Take in capitalised proper nouns the tagger left just outside a name in running text.

    "The [Brenton] Courier says" -> "Brenton Courier": up to two following
    title-case NNP tokens outside any entity, in running text only (on title-case
    lines every word looks like a proper noun).  A role word is taken in only after
    "the" and when no name follows it.  A place followed by such a noun
    names an organisation ("Orland Globe", "Halden Bank").
    """
    if label not in _EXTENDABLE or headline[start]:
        return end, label
    new_end = end
    while new_end < len(doc) and new_end - end < 2:
        tok = doc[new_end]
        if tok.tag_ not in ("NNP", "NNPS") or tok.ent_iob_ != "O" or not tok.is_title or not tok.is_alpha \
                or tok.is_sent_start or not doc[new_end - 1].whitespace_ or "\n" in doc[new_end - 1].whitespace_ \
                or tok.lower_ in OFFICE_WORDS:
            break
        if tok.lower_ in ROLE_WORDS or tok.lower_ in PERSON_TITLES:
            # "The Brenton Courier says" names an outlet; "Orland Mayor Jane Doe" is a role
            nxt = doc[new_end + 1] if new_end + 1 < len(doc) else None
            the = start > 0 and doc[start - 1].lower_ == "the"
            if not the or nxt is None or nxt.tag_ in ("NNP", "NNPS") or nxt.ent_iob_ != "O":
                break
        new_end += 1
    if new_end == end or new_end < len(doc) and (is_role(doc[new_end]) or doc[new_end].lower_ in OFFICE_WORDS):
        return end, label  # "Eastland Defense [Minister]": a role follows, not an outlet name
    return new_end, "ORG" if label in PLACE_LABELS else label


def clean_entity(doc: Doc, start: int, end: int, label: str) -> list[Candidate]:
    """Split an entity at line breaks, list commas and internal possessives, trim, drop junk."""
    out = []
    piece_start = start
    for i in range(start, end + 1):
        boundary = i == end or "\n" in doc[i].text or is_possessive(doc[i]) and i < end - 1 \
            or label == "PERSON" and doc[i].tag_ == "CC" \
            or doc[i].text in (":", ",") and label not in _TITLE_TYPES \
            and not _abbreviation_follows(doc, i, end)  # "Smith and Jones", "Jane Doe: Life", "Orland, Brenton"
        if not boundary:
            continue
        cand = trim(doc, piece_start, i, label)
        if cand is not None and not is_junk(cand):
            out.append(cand)
        piece_start = i + 1
    return out


def _abbreviation_follows(doc: Doc, i: int, end: int) -> bool:
    """The comma at ``i`` precedes an abbreviation ("Jane Doe, Jr.", "Orland, Inc."): keep the name whole.

    Any other comma inside an entity joins a list ("Orland, Brenton") and splits it.
    """
    return i + 1 < end and "." in doc[i + 1].text


def is_possessive(tok: Token) -> bool:
    return tok.tag_ == "POS" or tok.text in ("'s", "’s", "'", "’")


def trim(doc: Doc, start: int, end: int, label: str) -> Candidate | None:
    """Trim articles, roles (persons), possessives and punctuation off a token range."""
    while start < end and (doc[start].lower_ in ("the", "a", "an") or doc[start].is_punct
                           or doc[start].is_space
                           # "this Orland Times", "their Brenton office": lowercase determiners
                           or doc[start].is_lower and doc[start].tag_ in _LEADING_FUNCTION_TAGS):
        start += 1
    if start < end and doc[start].lower_ in CHROME_WORDS and (start == 0 or "\n" in doc[start - 1].text):
        start += 1  # "Tags Arvell ..." on a tag line
    if label == "PERSON":
        start = _skip_roles(doc, start, end)
    while end > start and (is_possessive(doc[end - 1]) or doc[end - 1].is_punct or doc[end - 1].is_space
                           or _lowercase_tail(doc[end - 1], label)
                           or doc[end - 1].is_lower and doc[end - 1].tag_ in _TRAILING_FUNCTION_TAGS
                           # "Oregon State Police and [Capt]", "Morningside Recovery in"
                           or end - start > 1 and doc[end - 2].tag_ == "CC" and is_role(doc[end - 1])
                           or label == "PERSON" and end - start > 1 and is_role(doc[end - 1])):
        end -= 1
    if end <= start:
        return None
    base, local = doc[start].idx, doc[start:end].text
    s, e = _trim_chars(local, 0, len(local))
    if e <= s:
        return None
    return Candidate(base + s, base + e, local[s:e], label, start, end)


def _skip_roles(doc: Doc, start: int, end: int) -> int:
    """Index after the last role word of a PERSON span that still leaves a capitalised name."""
    last_role = -1
    for i in range(start, end - 1):
        if is_role(doc[i]):
            last_role = i
    if last_role >= 0 and any(doc[j].text[:1].isupper() for j in range(last_role + 1, end)):
        start = last_role + 1
    # a nationality or office word glued in front ("American Jane Doe", "Interior John Roe")
    while end - start > 2 and (doc[start].lower_ in OFFICE_WORDS or _is_demonym(doc, doc[start])):
        start += 1
    # adjectives or verbs glued in front of a name ("Notorious Jane Doe"): drop leading
    # tokens the tagger does not read as proper nouns, keeping a two-word name
    while end - start > 2 and doc[start].tag_ not in ("NNP", "NNPS") and doc[start + 1].tag_ in ("NNP", "NNPS"):
        start += 1
    return start


def _lowercase_tail(tok: Token, label: str) -> bool:
    """A trailing common noun ("Westland coast", "Dale Ambers rehab"), except titles and "X administration"."""
    if not (tok.is_lower and tok.is_alpha) or label in _TITLE_TYPES or tok.text in KEEP_TAIL_NOUNS:
        return False
    prev = tok.nbor(-1) if tok.i > 0 else None
    glued = prev is not None and prev.text in "-‐‑" and not prev.whitespace_  # "Soo-ran"
    return not glued


def _is_demonym(doc: Doc, tok: Token) -> bool:
    """The token is a one-word NORP entity somewhere in the document ("American").

    Only asked for PERSON spans of three or more tokens, so the scan is rare.
    """
    low = tok.lower_
    return any(len(e) == 1 and e.label_ == "NORP" and e.text.lower() == low for e in doc.ents)


def is_role(tok: Token) -> bool:
    return tok.lower_.rstrip(".") in ROLE_WORDS


def _trim_chars(text: str, s: int, e: int) -> tuple[int, int]:
    """Char-level trim of edge punctuation and a possessive glued into a token."""
    while s < e and text[s] in _EDGE:
        s += 1
    changed = True
    while changed and e > s:
        changed = False
        stripped = strip_possessive(text[s:e])
        if len(stripped) < e - s:
            e = s + len(stripped)
            changed = True
        while e > s and text[e - 1] in _EDGE and not _keeps_period(text, s, e):
            e -= 1
            changed = True
    return s, e


#: Abbreviations whose final period belongs to the name ("Orland Inc.").
_NAME_ABBREVIATIONS = lexicon.words("name_abbreviations")


def _keeps_period(text: str, s: int, e: int) -> bool:
    """Keep the final period of abbreviations ("U.S.", "Inc.", "Jr.")."""
    if text[e - 1] != ".":
        return False
    word = text[s:e].split()[-1]
    return word.count(".") >= 2 or word[:-1] in _NAME_ABBREVIATIONS


def is_junk(cand: Candidate) -> bool:
    text = cand.text
    if len(text) < 2 or not any(c.isalpha() for c in text):
        return True
    if not any(c.isupper() for c in text) and not _NUMERAL_NAME_RE.fullmatch(text):
        return True  # all lowercase, except a numeral name ("49ers")
    if _URL_RE.search(text):
        return True
    words = [w.casefold().strip(".") for w in text.split()]
    if all(w in ROLE_WORDS or w in OFFICE_WORDS for w in words):
        return True  # "Defense" out of "Defense Minister"
    return _has_lowercase_content(cand)


def _has_lowercase_content(cand: Candidate) -> bool:
    """A lowercase non-function word inside a name marks a sentence fragment ("Jane never checked")."""
    return any(w.islower() and w.isalpha() and w not in NAME_PARTICLES and w not in _STOP_WORDS
               for w in cand.text.split())


def drop_bylines(doc: Doc, cands: list[Candidate]) -> list[Candidate]:
    """Names on a short "By Jane Doe, Outlet" line are credits, not story entities."""
    out = []
    text = text_of(doc)
    for cand in cands:
        line_start = text.rfind("\n", 0, cand.start) + 1
        line_end = text.find("\n", cand.end)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        if len(line) < 100 and _BYLINE_RE.match(line):
            continue
        out.append(cand)
    return out
