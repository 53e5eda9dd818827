"""Article features for story clustering: lead sentence, content terms, dates.

Pure functions of a parsed ``Doc`` (DocBin-safe attributes only).
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Iterator, NamedTuple

from spacy.tokens import Doc, Span as SpacySpan

from services import lexicon
from services.common.doc_text import text_of
from services.entities.tables import table

# ----------------------------------------------------------------- lead sentence
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_BYLINE_RE = re.compile(r"^\s*(?:by|written by|reporting by|posted by|updated|published|first published)\b",
                        re.IGNORECASE)
_SENT_END = ('.', '!', '?', '"', '”', "’", "'", ')')
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})


def lead_sentence(body: Doc) -> str:
    """The first real sentence of the article.

    Skips URL lines, date/time lines, bylines and headline-like lines (title
    case, or short and without final punctuation).  Falls back to the first
    non-empty segment.
    """
    fallback = ""
    for seg in segments(body):
        text = seg.text.strip()
        if not text:
            continue
        if not _URL_RE.fullmatch(text):
            fallback = fallback or text
        if _is_real_sentence(seg, text):
            return text
    return fallback


def segments(doc: Doc) -> Iterator[SpacySpan]:
    """Sentences, further split at line breaks."""
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if "\n" in tok.text:
                if tok.i > start:
                    yield doc[start:tok.i]
                start = tok.i + 1
        if start < sent.end:
            yield doc[start:sent.end]


def _is_real_sentence(seg: SpacySpan, text: str) -> bool:
    if _URL_RE.search(text) and len(_URL_RE.sub("", text).split()) < 4:
        return False
    if _BYLINE_RE.match(text):
        return False
    words = [t for t in seg if t.is_alpha]
    if len(words) < 5:
        return False
    if sum(1 for t in words if t.ent_type_ not in ("DATE", "TIME")) < 4:
        return False  # dateline
    if not any(t.pos_ in ("VERB", "AUX") for t in seg):
        return False
    content = [t for t in words if not t.is_stop and len(t.text) > 1]
    if len(content) >= 4 and sum(t.text[0].isupper() for t in content) / len(content) >= 0.85:
        return False  # title-case headline
    if not text.endswith(_SENT_END) and len(words) < 12:
        return False  # short line without final punctuation: a headline
    return True


# ----------------------------------------------------------------- content terms
def content_terms(doc: Doc, limit: int = 60) -> dict[str, int]:
    """Lowercase lemmas of nouns, proper nouns, verbs and adjectives with counts.

    Stopwords, punctuation, numbers, URLs and one-letter tokens are skipped;
    the ``limit`` most frequent are returned (ties in order of first use).
    """
    counts: Counter[str] = Counter()
    for tok in doc:
        if tok.pos_ not in _CONTENT_POS or tok.is_stop or tok.is_punct or tok.like_num or tok.like_url:
            continue
        lemma = (tok.lemma_ or tok.text).lower().strip("'’.-")
        if len(lemma) < 2 or not any(c.isalpha() for c in lemma) or lemma in _STOP_LEMMAS:
            continue
        counts[lemma] += 1
    return dict(counts.most_common(limit))


#: Lemmas of contractions and fragments that spaCy's stop list misses.
_STOP_LEMMAS = lexicon.words("stop_lemmas")

# ----------------------------------------------------------------- dates
#: Month names and abbreviations -> month number.
_MONTHS = {name: int(number) for name, number in table("months").items()}
_MONTH_RE = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
            r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
#: Weekday names -> date.weekday(), in week order (the first name found is taken).
_WEEKDAYS = {name: int(number) for name, number in table("weekdays").items()}
#: Words naming a day relative to publication -> offset in days, in lookup order.
_RELATIVE_DAYS = {word: int(offset) for word, offset in table("relative_days").items()}

_PATTERNS = [
    # 2011-02-23, 2011/02/23
    ("ymd", re.compile(r"\b(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")),
    # Feb 23, 2011 / February 23rd 2011
    ("mdy", re.compile(r"\b" + _MONTH_RE + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b",
                       re.IGNORECASE)),
    # 23 February 2011
    ("dmy", re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r",?\s+(?P<y>(?:19|20)\d\d)\b",
                       re.IGNORECASE)),
    # 08.07.2012, 8-7-2012: day first (the order of every locale that writes dates so)
    ("dmy-num", re.compile(r"\b(?P<d>\d{1,2})[.-](?P<m>\d{1,2})[.-](?P<y>(?:19|20)\d\d)\b")),
    # 5/2/2013 (US order; 27/09/2013 can only be day first)
    ("us", re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d\d)\b")),
    # February 2011
    ("my", re.compile(r"\b" + _MONTH_RE + r",?\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE)),
]
_MONTH_DAY_RE = re.compile(r"\b" + _MONTH_RE + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s*(?:19|20)\d\d)",
                           re.IGNORECASE)
_DAY_MONTH_RE = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"\b(?!,?\s*(?:19|20)\d\d)",
                           re.IGNORECASE)
# "[downloaded on 2 October 2013]", "retrieved 5 May 2020": the date a copy was captured
_CAPTURE_STAMP = re.compile(r"\b(?:downloaded|retrieved|accessed|archived|crawled|captured)(?:\s+(?:on|at))?\s*:?\s*$",
                            re.IGNORECASE)
#: Words that put a weekday of their sentence in the future ("will meet on Monday").
_FUTURE_WORDS = lexicon.words("future_words")


class DateMention(NamedTuple):
    """A date the text mentions: where, which (ISO ``YYYY-MM-DD`` or ``YYYY-MM``), and whether a
    future-tense clause holds it ("will be released on May 2")."""

    offset: int      # character offset into doc.text
    iso: str
    future: bool


def find_dates(doc: Doc, published: datetime | None = None) -> list[str]:
    """ISO dates (``YYYY-MM-DD`` or ``YYYY-MM``) mentioned in the text, in order of first mention.

    Absolute dates are read anywhere in the text (also in URL and dateline
    lines).  With ``published``, partial dates inside DATE entities are
    resolved: "May 2" takes the year that puts it nearest the publication
    date; weekdays and today/yesterday/tomorrow are resolved relative to it
    (the most recent such day, or the next one in future-tense sentences).
    """
    return _distinct(date_mentions(doc, published))


def own_date(doc: Doc, published: datetime | None = None, not_after: datetime | None = None) -> str | None:
    """The article's own date (its dateline, or the day of the event its lead reports): the
    latest day-precise date mentioned in the lead (the first OWN_DATE_LEAD_CHARS characters)
    that is neither in a future-tense clause ("will be released on May 2, 2024"), nor a birth
    date ("was born on April 22, 1923"), nor later than ``not_after`` (the publication time, else
    when the article was sent: nothing an article reports as done happens after it is
    written); ``None`` when there is none (a month or a year is not a day).
    A report's news is its newest development, and the earlier dates of its lead are the
    background that development follows: the crime a trial opened on Monday is about, the attack
    whose toll rose on Thursday, the talks that led to a release.  So the latest date is the
    news's, not the first (which dated a trial report like the crime, years before the trial's
    other reports).  A date deep in the body is background too ("was named coach on May 23,
    2005"): taken as the article's own, it would date a report like a sister event."""
    return _own(date_mentions(doc, published), not_after, text_of(doc))


def article_dates(doc: Doc, published: datetime | None = None,
                  not_after: datetime | None = None) -> tuple[list[str], str | None]:
    """:func:`find_dates` and :func:`own_date` of one article from a single scan of its text."""
    mentions = date_mentions(doc, published)
    return _distinct(mentions), _own(mentions, not_after, text_of(doc))


def _distinct(mentions: list[DateMention]) -> list[str]:
    return list(dict.fromkeys(iso for _, iso, _ in mentions))


#: How far into the text (characters) an article's own date is looked for: a dateline or a
#: time stamp, and the lead's first sentences.
OWN_DATE_LEAD_CHARS = 400
# "born on April 22, 1923", "was born Ada Mae Korr in Brenton on April 22, 1923"
_BIRTH = re.compile(r"\bborn\b[^.;!?]{0,60}$", re.IGNORECASE)


def _own(mentions: list[DateMention], not_after: datetime | None, text: str = "") -> str | None:
    limit = None
    if not_after is not None:
        limit = _shift(not_after.date() if isinstance(not_after, datetime) else not_after, 1) or date.max
    latest = None
    for start, iso, future in mentions:
        if start >= OWN_DATE_LEAD_CHARS:
            break
        if len(iso) != 10 or future or (limit is not None and iso > limit.isoformat()[:len(iso)]):
            continue   # (ISO strings order as dates)
        if _BIRTH.search(text, max(0, start - 60), start):
            continue
        if latest is None or iso > latest:
            latest = iso
    return latest


def date_mentions(doc: Doc, published: datetime | None = None) -> list[DateMention]:
    """Every date mention, in text order (see :func:`find_dates`)."""
    found: list[DateMention] = []
    covered: list[tuple[int, int]] = []
    text = text_of(doc)
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            if _CAPTURE_STAMP.search(text, max(0, m.start() - 40), m.start()):
                covered.append((m.start(), m.end()))   # when a copy was saved, not news
                continue
            iso = _absolute(kind, m)
            if iso:
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                found.append(DateMention(m.start(), iso, span is not None and _future_clause(span)))
                covered.append((m.start(), m.end()))
    if published is not None:
        pub = published.date() if isinstance(published, datetime) else published
        for ent in doc.ents:
            if ent.label_ not in ("DATE", "TIME"):
                continue
            if any(s <= ent.start_char < e or ent.start_char <= s < ent.end_char for s, e in covered):
                continue
            iso = _relative(ent, pub)
            if iso:
                found.append(DateMention(ent.start_char, iso, _future_clause(ent) or iso > pub.isoformat()))
    found.sort()
    return found


_FUTURE_AUX = lexicon.words("future_aux")
_FUTURE_HEADS = lexicon.words("future_heads")   # not "set": "a record set on"


def _future_clause(span: SpacySpan) -> bool:
    """A date that a preposition attaches to a future-tense clause ("will be released on May 2",
    "is scheduled for May 2", "due by May 2"): the first verb above it has "will"/"shall" as
    auxiliary, or it or a word on the way is scheduled/slated/due/planned/expected.  A date
    attached without a preposition (a dateline "PARIS, May 2, 2024 -- ...") is never future."""
    tok, via_prep = span.root, False
    text = text_of(span.doc)
    for _ in range(12):   # bounded walk up the parse (malformed parses)
        head = tok.head
        if head.i == tok.i:   # the sentence root (spaCy makes a new Token object per access)
            return False
        lo, hi = sorted((head.idx, span.start_char))
        if "\n" in text[lo:hi]:   # a time-stamp line parsed into the next sentence
            return False
        via_prep = via_prep or head.pos_ == "ADP"
        tok = head
        if tok.lemma_.lower() in _FUTURE_HEADS or tok.lower_ in _FUTURE_HEADS:
            return via_prep
        if tok.pos_ in ("VERB", "AUX"):
            if not via_prep:
                return False
            verbs = [tok, tok.head] if tok.dep_ == "xcomp" else [tok]   # "is expected to rule on ..."
            return any(v.lemma_.lower() in _FUTURE_HEADS
                       or any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in v.children) for v in verbs)
    return False


def _month(name: str) -> int:
    return _MONTHS.get(name.lower().rstrip(".")[:4], 0) or _MONTHS.get(name.lower().rstrip(".")[:3], 0)


def _absolute(kind: str, m: re.Match) -> str | None:
    g = m.groupdict()
    if g.get("mon") and not g["mon"][0].isupper():
        return None  # "may" the verb
    year = int(g["y"])
    month = int(g["m"]) if g.get("m") else _month(g["mon"])
    if kind == "us" and month > 12:
        month, g["d"] = int(g["d"]), g["m"]
    if kind == "my":
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    return _iso(year, month, int(g["d"]))


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _relative(ent: SpacySpan, pub: date) -> str | None:
    """Resolve a DATE entity without a year against the publication date."""
    text = ent.text
    m = _MONTH_DAY_RE.search(text) or _DAY_MONTH_RE.search(text)
    if m and m.group("mon")[0].isupper():
        month, day = _month(m.group("mon")), int(m.group("d"))
        options = [_iso(y, month, day) for y in (pub.year - 1, pub.year, pub.year + 1)]
        options = [date.fromisoformat(o) for o in options if o]
        if not options:
            return None
        return min(options, key=lambda d: abs((d - pub).days)).isoformat()
    lower = text.lower()
    for word, offset in _RELATIVE_DAYS.items():
        if re.search(rf"\b{word}\b", lower):
            shifted = _shift(pub, offset)
            return shifted.isoformat() if shifted else None
    for word, weekday in _WEEKDAYS.items():
        if re.search(rf"\b{word}\b", lower):
            future = "next" in lower or _future_sentence(ent)
            delta = (weekday - pub.weekday()) % 7 if future else -((pub.weekday() - weekday) % 7)
            shifted = _shift(pub, delta)
            return shifted.isoformat() if shifted else None
    return None


def _shift(day: date, days: int) -> date | None:
    """``day`` moved by ``days``, or None beyond the calendar (a record dated 9999-12-31 or
    0001-01-01 has no tomorrow or yesterday: the date arithmetic overflowed and the entities
    worker dead-lettered a valid article)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _future_sentence(ent: SpacySpan) -> bool:
    return any(t.lower_ in _FUTURE_WORDS for t in ent.sent)
