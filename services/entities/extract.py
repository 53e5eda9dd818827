"""Named entities of one article with canonical names.

Pure function of the parsed docs (no model calls): works on docs rebuilt from
DocBin bytes because it reads only text, offsets, tags, lemmas, sentence
starts and entity labels.

Pipeline (linear in the number of tokens):

1. candidates: spaCy entities minus numeric types, split at line breaks,
   list commas and internal possessives ("White House's National Security
   Council"), trimmed of leading articles and determiners, role words
   (PERSON), trailing possessives and punctuation; junk dropped (URLs,
   all-lowercase, digits, role-only spans, bylines);
2. headline fragments: spans inside title-case / all-caps lines are kept only
   when the same name also occurs in running text;
3. recurring names: untagged recurrences of a name the article already uses
   (and bare surnames of its full names) become mentions;
4. conservative type fixes ("in X" is not a person, "President X" is, a
   surname tagged as a place is the person, "X Theatre" is a facility, a
   quoted name is a title);
5. alias pairs read from the text (parenthesised acronyms, "also known as");
6. canonical names via :func:`services.entities.canonical.cluster_names`;
7. ``in_title`` by clustering the title's names together with the body's.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

from schemas.models import EntityMention, Span
from services import lexicon
from services.entities.features import segments as _segments
from services.entities.aliases import is_acronym, nickname_at, nickname_parts
from services.entities.canonical import ROLE_WORDS, canonical_key, normalise_surface, strip_possessive
from services.entities.clustering import cluster_names, cluster_type

#: spaCy labels that are values, not entities.
NUMERIC_TYPES = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL"})

#: Office / department words that NER sometimes tags alone in "Defense Minister".
OFFICE_WORDS = lexicon.words("office_words")
#: Role words that, directly before a name, make it a person ("President X").
PERSON_TITLES = lexicon.person_words("person_title")

#: Website labels that start tag/topic lines ("Tags Arvell administration ...").
CHROME_WORDS = lexicon.words("chrome_words")
#: Lowercase heads that make a different entity than the name before them.
KEEP_TAIL_NOUNS = lexicon.words("keep_tail_nouns")
#: Lowercase particles inside names ("Osama bin Laden", "Ludwig van Beethoven").
NAME_PARTICLES = lexicon.words("name_particles")
_STOP_WORDS = STOP_WORDS
_TITLE_TYPES = frozenset({"WORK_OF_ART", "EVENT", "LAW"})
#: Tags of lowercase words a name never ends with, whatever its type (prepositions,
#: determiners, conjunctions, "to", relative and possessive pronouns).
_TRAILING_FUNCTION_TAGS = frozenset({"IN", "DT", "CC", "TO", "WDT", "WP", "WP$", "PRP$"})
#: Tags of lowercase words a name never starts with (determiners, possessive pronouns).
_LEADING_FUNCTION_TAGS = frozenset({"DT", "PDT", "PRP$", "WDT", "WP$"})

_APOS = "'’‘`´"
_EDGE = " \t\r\n\"“”«»()[]{},;:!?*•|/\\-–—." + _APOS
_URL_RE = re.compile(r"(?:https?:|www\.|\.(?:com|org|net|co|io|gov|edu)\b|@|/)", re.IGNORECASE)
_ALIAS_GLUE_RE = re.compile(
    r"^\s*,?\s*\(?\s*(?:also\s+known\s+as|aka|a\.k\.a\.?|officially(?:\s+known\s+as|\s+called)?|"
    r"formerly(?:\s+known\s+as)?|better\s+known\s+as)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ACRONYM_FOR_RE = re.compile(r"\b(?:an?\s+)?(?:acronym|abbreviation|short)\s+for\s+(?:the\s+)?$", re.IGNORECASE)
#: A numeral glued to a word of three or more letters names a team or band ("49ers"),
#: unlike ordinals, decades and units ("85th", "1990s", "10km").
_NUMERAL_NAME_RE = re.compile(r"\d+[a-z]{3,}")
_BYLINE_RE = re.compile(r"^\s*(?:by|written by|reporting by)\s+[A-Z]", re.IGNORECASE)


@dataclass
class _Cand:
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


# ----------------------------------------------------------------- public API
def extract_entities(body: Doc, title: Doc | None = None) -> list[EntityMention]:
    """Canonical named entities of an article, with their body mentions."""
    cands = body_candidates(body)
    if not cands:
        return []
    heads = title_candidates(title, body, cands) if title is not None and len(title) else []
    # the title comes first in the article: its full names canonicalise body short forms
    mentions = [(c.text, c.label) for c in heads] + [(c.text, c.label) for c in cands]
    mapping = cluster_names(mentions, text_aliases(body, cands) + nickname_aliases([*heads, *cands]))
    entities = _group(cands, mapping, heads)
    _mark_in_title(entities, mapping, heads, title.text if heads else "")
    return entities


def body_candidates(doc: Doc) -> list[_Cand]:
    """Cleaned, validated, type-fixed candidate mentions of a body, in text order."""
    headline_sents = _headline_token_mask(doc)
    cands = []
    for ent in doc.ents:
        if ent.label_ in NUMERIC_TYPES:
            continue
        end, label = _extend_right(doc, ent.start, ent.end, ent.label_, headline_sents)
        for cand in _clean_ent(doc, ent.start, end, label):
            cand.headline = headline_sents[cand.tok_start]
            cands.append(cand)
    cands = _drop_bylines(doc, cands)
    names = _RunningNames(doc, cands)
    cands = [v for c in cands if (v := names.validate(doc, c)) is not None]
    cands = _add_defined_acronyms(doc, cands)
    cands = _propagate_names(doc, cands, headline_sents)
    person_words = {c.text for c in cands if c.label == "PERSON" and c.tok_end - c.tok_start == 1}
    surnames = {doc[c.tok_end - 1].text for c in cands if c.label == "PERSON" and c.tok_end - c.tok_start >= 2}
    for cand in cands:
        cand.label = _fix_type(doc, cand, person_words, surnames)
        _mark_quoted(doc, cand)
    return cands


def title_candidates(doc: Doc, body: Doc | None = None, body_cands: list[_Cand] | None = None) -> list[_Cand]:
    """Cleaned candidates of a title, validated like headline lines against the body's names."""
    cands = []
    for ent in doc.ents:
        if ent.label_ not in NUMERIC_TYPES:
            cands.extend(_clean_ent(doc, ent.start, ent.end, ent.label_))
    if body is None or body_cands is None:
        return cands
    names = _RunningNames(body, body_cands, extra=doc)
    out = []
    for c in cands:
        c.headline = True
        v = names.validate(doc, c)
        if v is not None:
            _mark_quoted(doc, v)
            out.append(v)
    return out


# ----------------------------------------------------------------- cleaning
_PLACE_LABELS = frozenset({"GPE", "LOC", "NORP"})
_EXTENDABLE = frozenset({"GPE", "LOC", "NORP", "ORG", "FAC"})


def _extend_right(doc: Doc, start: int, end: int, label: str, headline: list[bool]) -> tuple[int, str]:
    """Take in capitalised proper nouns the tagger left just outside a name in running text.

    "The [Hollywood] Reporter says" -> "Hollywood Reporter": up to two following
    title-case NNP tokens outside any entity, in running text only (on title-case
    lines every word looks like a proper noun).  A role word is taken in only after
    "the" and when no name follows it.  A place followed by such a noun
    names an organisation ("Boston Globe", "Athens Bank").
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
            # "The Hollywood Reporter says" names an outlet; "Boston Mayor Jane Doe" is a role
            nxt = doc[new_end + 1] if new_end + 1 < len(doc) else None
            the = start > 0 and doc[start - 1].lower_ == "the"
            if not the or nxt is None or nxt.tag_ in ("NNP", "NNPS") or nxt.ent_iob_ != "O":
                break
        new_end += 1
    if new_end == end or new_end < len(doc) and (_is_role(doc[new_end]) or doc[new_end].lower_ in OFFICE_WORDS):
        return end, label  # "Eastland Defense [Minister]": a role follows, not an outlet name
    return new_end, "ORG" if label in _PLACE_LABELS else label


def _clean_ent(doc: Doc, start: int, end: int, label: str) -> list[_Cand]:
    """Split an entity at line breaks, list commas and internal possessives, trim, drop junk."""
    out = []
    piece_start = start
    for i in range(start, end + 1):
        boundary = i == end or "\n" in doc[i].text or _is_possessive(doc[i]) and i < end - 1 \
            or label == "PERSON" and doc[i].tag_ == "CC" \
            or doc[i].text in (":", ",") and label not in _TITLE_TYPES \
            and not _abbreviation_follows(doc, i, end)  # "Smith and Jones", "Jane Doe: Life", "Orland, Brenton"
        if not boundary:
            continue
        cand = _trim(doc, piece_start, i, label)
        if cand is not None and not _is_junk(cand):
            out.append(cand)
        piece_start = i + 1
    return out


def _abbreviation_follows(doc: Doc, i: int, end: int) -> bool:
    """The comma at ``i`` precedes an abbreviation ("Jane Doe, Jr.", "Orland, Inc."): keep the name whole.

    Any other comma inside an entity joins a list ("Orland, Brenton") and splits it.
    """
    return i + 1 < end and "." in doc[i + 1].text


def _is_possessive(tok: Token) -> bool:
    return tok.tag_ == "POS" or tok.text in ("'s", "’s", "'", "’")


def _trim(doc: Doc, start: int, end: int, label: str) -> _Cand | None:
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
    while end > start and (_is_possessive(doc[end - 1]) or doc[end - 1].is_punct or doc[end - 1].is_space
                           or _lowercase_tail(doc[end - 1], label)
                           or doc[end - 1].is_lower and doc[end - 1].tag_ in _TRAILING_FUNCTION_TAGS
                           # "Oregon State Police and [Capt]", "Morningside Recovery in"
                           or end - start > 1 and doc[end - 2].tag_ == "CC" and _is_role(doc[end - 1])
                           or label == "PERSON" and end - start > 1 and _is_role(doc[end - 1])):
        end -= 1
    if end <= start:
        return None
    base, local = doc[start].idx, doc[start:end].text  # doc.text would rebuild the whole text
    s, e = _trim_chars(local, 0, len(local))
    if e <= s:
        return None
    return _Cand(base + s, base + e, local[s:e], label, start, end)


def _skip_roles(doc: Doc, start: int, end: int) -> int:
    """Index after the last role word of a PERSON span that still leaves a capitalised name."""
    last_role = -1
    for i in range(start, end - 1):
        if _is_role(doc[i]):
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
    """A trailing common noun ("Pacific coast", "Betty Ford rehab"), except titles and "X administration"."""
    if not (tok.is_lower and tok.is_alpha) or label in _TITLE_TYPES or tok.text in KEEP_TAIL_NOUNS:
        return False
    prev = tok.nbor(-1) if tok.i > 0 else None
    glued = prev is not None and prev.text in "-‐‑" and not prev.whitespace_  # "Han-bum"
    return not glued


def _is_demonym(doc: Doc, tok: Token) -> bool:
    """The token is a one-word NORP entity somewhere in the document ("American").

    Only asked for PERSON spans of three or more tokens, so the scan is rare.
    """
    low = tok.lower_
    return any(len(e) == 1 and e.label_ == "NORP" and e.text.lower() == low for e in doc.ents)


def _is_role(tok: Token) -> bool:
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


def _is_junk(cand: _Cand) -> bool:
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


def _has_lowercase_content(cand: _Cand) -> bool:
    """A lowercase non-function word inside a name marks a sentence fragment ("Jane never checked")."""
    return any(w.islower() and w.isalpha() and w not in NAME_PARTICLES and w not in _STOP_WORDS
               for w in cand.text.split())


def _drop_bylines(doc: Doc, cands: list[_Cand]) -> list[_Cand]:
    """Names on a short "By Jane Doe, Outlet" line are credits, not story entities."""
    out = []
    text = doc.text
    for cand in cands:
        line_start = text.rfind("\n", 0, cand.start) + 1
        line_end = text.find("\n", cand.end)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        if len(line) < 100 and _BYLINE_RE.match(line):
            continue
        out.append(cand)
    return out


# ----------------------------------------------------------------- headline fragments
def _headline_token_mask(doc: Doc) -> list[bool]:
    """True for tokens on title-case or all-caps lines/sentences.

    A name-heavy sentence ending in a full stop with at least one lowercase
    content word is running text, not a headline.
    """
    mask = [False] * (len(doc) + 1)
    for segment in _segments(doc):
        words = [t for t in segment if t.is_alpha and not t.is_stop and len(t.text) > 1]
        if len(words) < 4:
            continue
        caps = sum(1 for t in words if t.text[0].isupper())
        sentence = segment[-1].text in (".", "!", "?") and caps < len(words)
        if caps / len(words) >= 0.85 and not sentence:
            for t in segment:
                mask[t.i] = True
    return mask


class _RunningNames:
    """Names used in running text, to validate spans on headline lines and in titles.

    A headline span is kept as far as it names something used in running
    text: whole if its key is a running name; else (PERSON) with edge words
    trimmed that the article also uses as ordinary lowercase words ("Esther
    Williams Dies" -> "Esther Williams"); else the longest run of two or more
    tokens that is a running name; else a two- or three-word PERSON whose
    first or last word is a running person name ("Lena Korr" beside
    "Korr"); else the longest single running token.  Anything else on such
    a line is dropped.
    """

    def __init__(self, doc: Doc, cands: list[_Cand], extra: Doc | None = None):
        self.running: set[str] = set()
        self.person_words: set[str] = set()
        self.nicknames: set[str] = set()
        for c in cands:
            if not c.headline:
                key = _key(c)
                self.running.add(key)
                if c.label == "PERSON":
                    self.person_words.update(key.split())
                    if nickname_parts(c.text):
                        self.nicknames.add(c.text)
        self._doc = doc
        self._common: set[str] | None = None

    def validate(self, doc: Doc, c: _Cand) -> _Cand | None:
        if not c.headline or _key(c) in self.running:
            return c
        if c.label == "PERSON":
            c = self._trim_common(doc, c)
            if c is None or _key(c) in self.running:
                return c
        sub = _longest_running_run(doc, c, self.running, min_len=2)
        if sub is not None:
            return sub
        if self._person_with_known_part(doc, c):
            return c
        if c.label == "PERSON" and (sub := self._nicknamed(doc, c)) is not None:
            return sub
        return _longest_running_run(doc, c, self.running, min_len=1)

    def _nicknamed(self, doc: Doc, c: _Cand) -> _Cand | None:
        """The two words of a headline person span that the running text calls by a blended
        nickname: "Jenna Lorvik Checks Into Rehab" beside a running "JeLo" -> "Jenna Lorvik"."""
        words = [t.text for t in doc[c.tok_start:c.tok_end]]
        for nick in sorted(self.nicknames):
            i = nickname_at(nick, words)
            if i is not None:
                sub = _trim(doc, c.tok_start + i, c.tok_start + i + 2, "PERSON")
                if sub is not None:
                    sub.headline = True
                    return sub
        return None

    def _person_with_known_part(self, doc: Doc, c: _Cand) -> bool:
        """Two to four proper nouns, none an ordinary word, ending in a running person name
        (or, for two words, starting with one)."""
        words = _key(c).split()
        tokens = doc[c.tok_start:c.tok_end]
        if c.label != "PERSON" or not 2 <= len(words) <= 4:
            return False
        if not all(t.tag_ == "NNP" and not self._is_common(t) for t in tokens):
            return False
        return len(words) == 2 and (words[-1] in self.person_words or words[0] in self.person_words)

    def _trim_common(self, doc: Doc, c: _Cand) -> _Cand | None:
        start, end = c.tok_start, c.tok_end
        while end - start > 1 and self._is_common(doc[end - 1]):
            end -= 1
        while end - start > 1 and self._is_common(doc[start]):
            start += 1
        if (start, end) == (c.tok_start, c.tok_end):
            return c
        sub = _trim(doc, start, end, c.label)
        if sub is not None:
            sub.headline = True
        return sub

    def _is_common(self, tok: Token) -> bool:
        if self._common is None:  # built only when a headline PERSON needs it
            self._common = _common_words(self._doc)
        return tok.is_stop or any(form in self._common for form in _word_forms(tok.lower_))


def _common_words(doc: Doc) -> set[str]:
    """Lowercase words and their lemmas as used in running (lowercase) text."""
    out = set()
    for tok in doc:
        if tok.is_lower and tok.is_alpha and len(tok.text) > 2:
            out.add(tok.text)
            out.add(tok.lemma_.lower())
    return out


def _word_forms(word: str) -> tuple[str, ...]:
    """The word and crude stems: "returns" -> "return", "dies" -> "die", "checked" -> "check"."""
    forms = [word]
    for suffix in ("s", "es", "ed", "d", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)])
    return tuple(forms)


def _key(cand: _Cand) -> str:
    """Matching key of a candidate (cached on it; the label may change later, the key not)."""
    if cand.key is None:
        cand.key = canonical_key(normalise_surface(cand.text, cand.label))
    return cand.key


def _longest_running_run(doc: Doc, cand: _Cand, running: set[str], min_len: int = 1) -> _Cand | None:
    n = cand.tok_end - cand.tok_start
    for length in range(n - 1, min_len - 1, -1):
        for i in range(cand.tok_start, cand.tok_end - length + 1):
            sub = _trim(doc, i, i + length, cand.label)
            if sub is not None and sub.tok_end - sub.tok_start == length and _key(sub) in running:
                sub.headline = True
                return sub
    return None


# ----------------------------------------------------------------- recurring names
_MAX_NAME_TOKENS = 6


def _propagate_names(doc: Doc, cands: list[_Cand], headline: list[bool]) -> list[_Cand]:
    """A name the article already uses is a mention wherever it recurs untagged.

    The tagger often misses a name it found elsewhere in the same article
    ("Jane Doe said ... Doe herself announced").  Sources are the running-text
    candidates of two or more words (their exact token sequence), one-word
    candidates that the article anchors to a fuller name ("Doe" beside "Jane
    Doe"; a lone capitalised word is weak evidence), and the last word of
    multi-word PERSON names (the surname) unless two full names of the
    article share it.  A recurrence is taken when none of its tokens belongs
    to a candidate and, in running text, it is not glued to another
    capitalised proper noun ("Doe" inside "Doe Industries" is not Jane Doe).
    On headline lines, where every word is capitalised, any exact match counts.
    """
    mapping = cluster_names([(c.text, c.label) for c in cands])
    sources: dict[tuple[str, ...], str] = {}
    surnames: dict[tuple[str, ...], str] = {}
    full_names: dict[str, set[tuple[str, ...]]] = {}  # surname -> full PERSON names ending in it
    for c in cands:
        if c.label == "PERSON" and c.tok_end - c.tok_start >= 2:
            full_names.setdefault(doc[c.tok_end - 1].text, set()).add(
                tuple(t.text for t in doc[c.tok_start:c.tok_end]))
        if c.headline:
            continue
        toks = tuple(t.text for t in doc[c.tok_start:c.tok_end])
        anchored = len(toks) > 1 or len(mapping.get(c.text, "").split()) > 1
        if anchored and len(toks) <= _MAX_NAME_TOKENS and _name_like(doc[c.tok_start]):
            sources.setdefault(toks, c.label)
        last = doc[c.tok_end - 1]
        if c.label == "PERSON" and len(toks) >= 2 and _name_like(last) and len(last.text) >= 3 \
                and not last.is_stop and not _is_role(last):
            surnames.setdefault((last.text,), "PERSON")
    for key in list(surnames):
        sources.setdefault(key, surnames[key])
    for last, fulls in full_names.items():
        if len(fulls) > 1:  # "Doe" for either "Jane Doe" or "John Doe": ambiguous, left to the tagger
            sources.pop((last,), None)
    if not sources:
        return cands
    firsts = {k[0] for k in sources}
    taken = set()
    for c in cands:
        taken.update(range(c.tok_start, c.tok_end))
    extra = []
    i, n = 0, len(doc)
    while i < n:
        if doc[i].text not in firsts or i in taken:
            i += 1
            continue
        found = None
        for length in range(min(_MAX_NAME_TOKENS, n - i), 0, -1):
            key = tuple(t.text for t in doc[i:i + length])
            if key in sources and not any(j in taken for j in range(i, i + length)):
                found = length
                break
        if found is None or not headline[i] and (_glued_name(doc, i - 1) or _glued_name(doc, i + found)):
            i += 1
            continue
        cand = _trim(doc, i, i + found, sources[key])
        if cand is not None and not _is_junk(cand):
            cand.headline = headline[i]
            extra.append(cand)
        i += found
    return sorted(cands + extra, key=lambda c: c.start) if extra else cands


def _name_like(tok: Token) -> bool:
    """Capitalised word, apostrophes and hyphens allowed ("Doe", "DeSoto", "NATO", "O'Hara")."""
    return tok.text[:1].isupper() and tok.text.replace("'", "").replace("’", "").replace("-", "").isalpha()


def _glued_name(doc: Doc, i: int) -> bool:
    """Token ``i`` is a capitalised proper noun that would extend a name next to it."""
    if i < 0 or i >= len(doc):
        return False
    tok = doc[i]
    return tok.tag_ in ("NNP", "NNPS") and _name_like(tok) and not tok.is_sent_start


# ----------------------------------------------------------------- acronyms and aliases
def _add_defined_acronyms(doc: Doc, cands: list[_Cand]) -> list[_Cand]:
    """An acronym defined in parentheses after a name is a mention wherever it recurs."""
    defined: dict[str, str] = {}
    text = doc.text
    for c in cands:
        m = re.match(r"\s*\(\s*([A-Z][A-Za-z.&]{1,8})\s*\)", text[c.end:c.end + 14])
        if m and is_acronym(m.group(1)):
            defined[m.group(1)] = c.label
    if not defined:
        return cands
    taken = set()
    for c in cands:
        taken.update(range(c.tok_start, c.tok_end))
    extra = [
        _Cand(t.idx, t.idx + len(t.text), t.text, defined[t.text], t.i, t.i + 1)
        for t in doc if t.text in defined and t.i not in taken
    ]
    return sorted(cands + extra, key=lambda c: c.start)


def nickname_aliases(cands: list[_Cand]) -> list[tuple[str, str]]:
    """(nickname, name) pairs: a one-word person name blended from the starts of a two-word
    person name of the same article ("JeLo" / "Jenna Lorvik", "M-Tev" / "Marco Teval")."""
    names = {c.text for c in cands if c.label == "PERSON" and len(c.text.split()) == 2}
    return [(c.text, name) for c in cands if c.label == "PERSON" and nickname_parts(c.text)
            for name in sorted(names) if nickname_at(c.text, name.split()) == 0]


def text_aliases(doc: Doc, cands: list[_Cand]) -> list[tuple[str, str]]:
    """(short, long) alias pairs stated in the text.

    * ``Long Name (LN)`` -- a parenthesised name right after another;
    * ``A, also known as B`` / ``officially B`` / ``formerly B``;
    * ``ABC ... an acronym for Long Name`` -- the nearest acronym before it
      in the same sentence.
    """
    text = doc.text
    pairs = []
    for prev, cur in zip(cands, cands[1:]):
        between = text[prev.end:cur.start]
        if len(between) > 40:
            continue
        if re.fullmatch(r"\s*\(\s*", between) and text[cur.end:cur.end + 2].strip().startswith(")"):
            pairs.append((cur.text, prev.text))
        elif _ALIAS_GLUE_RE.match(between):
            pairs.append((prev.text, cur.text))
        elif re.fullmatch(r"\s*,?\s*or\s+", between) and is_acronym(cur.text):
            pairs.append((cur.text, prev.text))
    for i, cur in enumerate(cands):
        sent_start = doc[cur.tok_start].sent.start_char
        before = text[max(sent_start, cur.start - 40):cur.start]
        if not _ACRONYM_FOR_RE.search(before):
            continue
        for prev in reversed(cands[:i]):
            if prev.start < sent_start:
                break
            if is_acronym(prev.text):
                pairs.append((prev.text, cur.text))
                break
    return pairs


# ----------------------------------------------------------------- type fixes
_OPEN_QUOTE_RE = re.compile(r"[\"“‘'](?:the |a |an )?$", re.IGNORECASE)
_CLOSE_QUOTES = frozenset("\"”’'")
#: Head nouns that make an organisation-typed name a facility ("Orland Theatre").
FACILITY_HEADS = lexicon.words("facility_heads")


def _mark_quoted(doc: Doc, cand: _Cand) -> None:
    """Flag a name written between quote marks (maybe after a "the" inside them): ``'Long Way Home'``."""
    text = doc.text
    cand.quoted = bool(_OPEN_QUOTE_RE.search(text[max(0, cand.start - 6):cand.start])) \
        and text[cand.end:cand.end + 1] in _CLOSE_QUOTES


#: Prepositions after which a one-word name is read as a place ("in Jackson").
_LOCATIVE = lexicon.words("locative_prepositions")


def _fix_type(doc: Doc, cand: _Cand, person_words: frozenset[str] | set[str] = frozenset(),
              surnames: frozenset[str] | set[str] = frozenset()) -> str:
    """Conservative corrections of obvious NER type errors."""
    prev = doc[cand.tok_start - 1] if cand.tok_start > 0 else None
    if cand.label in _PLACE_LABELS and cand.tok_end - cand.tok_start == 1 and cand.text in surnames \
            and not (prev is not None and prev.lower_ in _LOCATIVE):
        return "PERSON"  # "Doe" tagged GPE beside "Jane Doe" (but "in Doe" stays a place)
    if cand.label in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC") and cand.tok_end - cand.tok_start == 2 \
            and doc[cand.tok_end - 1].text in person_words and not (prev is not None and prev.lower_ == "the") \
            and all(t.tag_ == "NNP" and t.is_title for t in doc[cand.tok_start:cand.tok_end]):
        return "PERSON"  # "Bettie Page" tagged ORG where "(Ms) Page" is a person
    nxt = doc[cand.tok_end] if cand.tok_end < len(doc) else None
    if cand.label == "PERSON" and cand.tok_end - cand.tok_start == 1 and prev is not None \
            and prev.lower_ in ("in", "near") and not (nxt is not None and _is_possessive(nxt)):
        return "GPE"  # "in Korvana"
    if cand.label == "PERSON" and cand.tok_end - cand.tok_start == 1 and prev is not None \
            and prev.lower_ == "the" and doc[cand.tok_start].tag_ == "NNPS":
        return "ORG"  # "the Falcons": a plural name after "the" is a team or band, not a person
    if cand.label in ("ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "LOC", "FAC") and prev is not None \
            and prev.lower_.rstrip(".") in PERSON_TITLES and prev.text[:1].isupper() \
            and all(t.tag_ in ("NNP", "NNPS") for t in doc[cand.tok_start:cand.tok_end]) \
            and cand.tok_end - cand.tok_start <= 3:
        return "PERSON"  # "President Arvell" tagged ORG
    if cand.label == "ORG" and cand.tok_end - cand.tok_start >= 2 and doc[cand.tok_end - 1].lower_ in FACILITY_HEADS:
        return "FAC"  # "Orland Theatre" tagged ORG
    return cand.label


# ----------------------------------------------------------------- grouping
def _group(cands: list[_Cand], mapping: dict[str, str], heads: list[_Cand] = ()) -> list[EntityMention]:
    """One EntityMention per canonical name, in order of first mention.

    ``heads`` (title candidates) only lend their quote-mark evidence to the type.
    """
    order: list[str] = []
    spans: dict[str, list[Span]] = {}
    types: dict[str, Counter] = {}
    for c in cands:
        name = mapping.get(c.text)
        if not name:
            continue
        if name not in spans:
            order.append(name)
            spans[name], types[name] = [], Counter()
        spans[name].append(Span(text=c.text, start=c.start, end=c.end))
        types[name][c.label] += 1
    named = [c for c in cands if c.text in mapping]
    titles = {mapping[c.text] for c in [*cands, *heads] if c.quoted and c.text in mapping}
    return [EntityMention(name=n, type=_entity_type(n, spans[n], types[n], named, n in titles),
                          mentions=spans[n])
            for n in order]


def _entity_type(name: str, spans: list[Span], votes: Counter, cands: list[_Cand],
                 quoted: bool = False) -> str:
    """Majority type of the mentions written in the canonical (fullest) form, else of all mentions.

    The full form is the most reliably typed ("Tony Thompson" PERSON even when
    the tagger reads a lone "Thompson" as ORG).  A name written between
    quote marks somewhere in the article is a WORK_OF_ART, whatever the votes.
    """
    if quoted and not is_acronym(name):
        return "WORK_OF_ART"
    key = canonical_key(name)
    full = Counter(c.label for c in cands if _key(c) == key)
    return cluster_type(full or votes, name)


def _mark_in_title(entities: list[EntityMention], mapping: dict[str, str],
                   title: list[_Cand], title_text: str) -> None:
    """Flag entities named in the title: by a title entity, or by a body surface found there verbatim."""
    title_names = {mapping.get(c.text) for c in title} - {None}
    for ent in entities:
        if ent.name in title_names:
            ent.in_title = True
        elif title_text:
            surfaces = {m.text for m in ent.mentions} | {ent.name}
            ent.in_title = any(re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", title_text) for t in surfaces)
