"""Cleaning article text and deriving stable content ids.

``clean_lines`` removes whole boilerplate *lines* (navigation, ads, copyright
notices, market-data footers, tag lists, "read more" links, share/follow
prompts ...) and never edits the text of any line it keeps, so character
offsets computed downstream refer to the article exactly as published minus
the dropped lines.

The rules are deliberately conservative: a line is dropped only when the whole
line looks like boilerplate; a sentence that merely *contains* "copyright" or
"read more" stays.  Rules are generic (no outlet names).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = [
    "clean_lines",
    "is_boilerplate_line",
    "normalise_for_hash",
    "content_id",
    "content_hash",
]

_I = re.IGNORECASE

# --------------------------------------------------------------------------- helpers
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_WS = re.compile(r"\s+")


def _norm(line: str) -> str:
    """The line as matched by the rules: NBSP and friends as spaces, trimmed."""
    return _WS.sub(" ", line).strip()


# --------------------------------------------------------------------------- exact lines
# Whole-line navigation / ad / widget labels (compared case-insensitively with
# trailing punctuation and arrows removed).
_EXACT = {
    # navigation
    "skip to main content", "skip to content", "skip to navigation", "skip navigation",
    "skip to main navigation", "skip to footer", "skip to search", "jump to content",
    "jump to main content", "scroll to top", "back to top", "return to top", "go to top",
    "toggle navigation", "open menu", "close menu", "main menu", "menu", "open navigation",
    "close navigation", "search", "open search", "close search", "sections", "home",
    # ads
    "advertisement", "advertisements", "advertising", "ad", "sponsored", "sponsored content",
    "paid content", "paid post", "story continues below advertisement",
    "article continues below advertisement", "story continues below", "article continues below",
    "continue reading below", "continue reading the main story", "content continues below",
    "advertisement - scroll to continue", "advertisement scroll to continue",
    "scroll to continue with content", "scroll to continue reading",
    # share / widgets
    "share", "share this", "share this article", "share this story", "share this post",
    "share article", "share story", "share on social media", "tweet", "print", "email",
    "print this article", "email this article", "listen to this article",
    "comments", "view comments", "show comments", "leave a comment", "add a comment",
    "follow us", "follow", "related", "related articles", "related stories", "related content",
    "related coverage", "related news", "related links", "recommended", "recommended stories",
    "more stories", "more news", "most read", "most popular", "trending", "trending now",
    "all rights reserved",
}
_EXACT_TRAIL = re.compile(r"[\s:.\-–—|›»>…→]+$")

# Headers that introduce a block of link headlines on the following lines.
_LINK_BLOCK_HEADER = re.compile(
    r"(read|see|watch|listen)\s+(more|also|next)"
    r"|related(\s+(articles?|stories|story|content|coverage|news|links?|reading|topics))?"
    r"|more\s+(on\s+this(\s+(story|topic))?|stories|news|coverage|reading)"
    r"|also\s+read|recommended(\s+(reading|stories|articles))?|don[’']?t\s+miss|you\s+may\s+also\s+like",
    _I,
)

# --------------------------------------------------------------------------- pattern rules
_SOCIAL = (
    r"twitter|x|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky|mastodon"
    r"|google\s+news|whatsapp|telegram|reddit|pinterest|flipboard|snapchat"
)
_SOCIAL_TOKENS = {
    "facebook", "twitter", "x", "email", "e-mail", "mail", "print", "linkedin", "whatsapp",
    "reddit", "pinterest", "telegram", "copy", "link", "share", "tweet", "messenger",
    "flipboard", "sms", "comments", "comment", "threads", "bluesky", "copied", "url",
}

# (compiled fullmatch pattern, max line length the rule applies to)
_RULES: list[tuple[re.Pattern[str], int]] = [
    # copyright notices: a line that *starts* like a notice
    (re.compile(r"(©|\(c\)|&copy;).*", _I), 400),
    (re.compile(r"copyright\s*(©|\(c\)|&copy;|\d{4}\b).*", _I), 400),
    (re.compile(r"copyright\b.*\ball\s+rights\s+reserved\b.*", _I), 400),
    (re.compile(r"all\s+rights\s+reserved\b.*", _I), 300),
    # tag / topic lists
    (re.compile(r"(tags|tagged(\s+(with|as))?|topics|related\s+topics|filed\s+under|categories)\s*:\s*\S.*", _I), 600),
    # market-data / ticker footers
    (re.compile(
        r"((all\s+)?(market|stock|financial|index|fund|price|pricing|real[- ]?time|delayed)\s+"
        r"(data|quotes?|prices?|information)|data\s*(&|and)\s*news|news\s*(&|and)\s*data|(all\s+)?quotes?)"
        r"\b.{0,40}?\b(provided|supplied|powered|delivered|furnished|sourced)\s+by\b.*", _I), 200),
    (re.compile(r"(all\s+)?(stock\s+|market\s+|index\s+)?(quotes?|data|prices?)\s+(are\s+|is\s+)?"
                r"delayed\b.{0,60}\b(minutes?|mins?)\b.*", _I), 200),
    (re.compile(r"powered\s+by\s+\S+(\s+\S+){0,4}", _I), 80),
    (re.compile(r"by\s+(accessing|using|visiting|browsing|continuing\s+to\s+use)\s+this\s+"
                r"(page|site|website|web\s+site|service)\b.*\byou\s+(agree|consent|accept)\b.*", _I), 300),
    (re.compile(
        r"((privacy(\s+(policy|notice|statement))?|terms(\s+of\s+(use|service))?|terms\s*(&|and)\s*conditions"
        r"|cookie\s+(policy|settings|preferences)|accessibility(\s+statement)?|contact\s+us|about\s+us"
        r"|site\s*map|do\s+not\s+sell\s+(or\s+share\s+)?my\s+personal\s+info(rmation)?)"
        r"[\s,|•·.&/]*(and\s+)?)+", _I), 200),
    # "read more" / related links with an inline headline
    (re.compile(r"(read|see|watch|listen)\s+(more|also|next)\s*(:|–|—|›|»|>|\||\s-\s|\.\.\.|…)\s*\S.*", _I), 300),
    (re.compile(r"(related(\s+(articles?|stories|story|content|coverage|news|links?|reading))?"
                r"|more\s+(on\s+this(\s+(story|topic))?|stories|coverage|reading)|also\s+read"
                r"|recommended(\s+(reading|stories|articles))?)\s*:\s*\S.*", _I), 300),
    # calls to action
    (re.compile(r"click\s+here\b.*", _I), 300),
    (re.compile(r"(sign\s*up|subscribe|register)\b.{0,150}\bnewsletters?\b.*", _I), 300),
    (re.compile(r"(get|receive)\s+(our|the)\b.{0,80}\bnewsletters?\b.*\b(inbox|sign\s*up|subscribe)\b.*", _I), 300),
    # share / follow
    (re.compile(r"share\s+(this|on|via)\b.*", _I), 100),
    (re.compile(r"share\s*:.*", _I), 100),
    (re.compile(r"follow\s+(us|\S+(\s+\S+){0,3})\s+on\s+(" + _SOCIAL + r")\b.*", _I), 200),
]

_MENU_SEP = re.compile(r"\s*[|•·]\s*")
_CRUMB_SEP = re.compile(r"\s+[›»>/]\s+")


def _is_menu(s: str) -> bool:
    """``Home | World | Politics`` menus and ``Home > World > Europe`` breadcrumbs."""
    parts = [p for p in _MENU_SEP.split(s)]
    if len(parts) >= 3 and all(
        p and len(p) <= 30 and len(p.split()) <= 4 and not _SENTENCE_END.search(p) for p in parts
    ):
        return True
    crumbs = _CRUMB_SEP.split(s)
    return (
        len(crumbs) >= 2
        and crumbs[0].casefold() == "home"
        and all(c and len(c) <= 40 and len(c.split()) <= 5 for c in crumbs)
    )


def _is_tag_list(s: str) -> bool:
    """``Tags City council Jane Doe Flood relief ...``: a label then names, no sentence."""
    return bool(re.match(r"tags\s+\S", s, _I)) and not _SENTENCE_END.search(s) and len(s) <= 600


def _is_social_strip(s: str) -> bool:
    tokens = [t for t in re.split(r"[\s|•·,/]+", s.casefold()) if t]
    return 2 <= len(tokens) <= 12 and all(t.strip(":") in _SOCIAL_TOKENS for t in tokens)


def is_boilerplate_line(line: str) -> bool:
    """True when the whole line is boilerplate (judged on its own, without context)."""
    s = _norm(line)
    if not s:
        return False
    key = _EXACT_TRAIL.sub("", s).casefold()
    if key in _EXACT or _LINK_BLOCK_HEADER.fullmatch(key):
        return True
    for pattern, max_len in _RULES:
        if len(s) <= max_len and pattern.fullmatch(s):
            return True
    return _is_tag_list(s) or _is_menu(s) or _is_social_strip(s)


def _is_link_block_header(line: str) -> bool:
    """``READ MORE:`` / ``Related stories`` alone on a line: link headlines follow."""
    key = _EXACT_TRAIL.sub("", _norm(line)).casefold()
    return bool(key) and bool(_LINK_BLOCK_HEADER.fullmatch(key))


def _is_headline_like(line: str) -> bool:
    """A linked headline: short, no sentence-final full stop."""
    s = _norm(line)
    return bool(s) and len(s) <= 160 and len(s.split()) <= 25 and not re.search(r"[.:;,][\"'”’)]*$", s)


_MAX_LINK_LINES = 5


def clean_lines(text: str) -> str:
    """Drop boilerplate lines; keep every other line exactly as given.

    Runs of three or more blank lines become one blank line; blank lines around
    a dropped line are merged so removal does not leave a hole.  Trailing
    whitespace of the whole text is stripped.
    """
    lines = text.split("\n")
    DROP = object()
    marked: list[object] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_link_block_header(line):
            marked.append(DROP)
            j = i + 1
            while j < len(lines) and not lines[j].strip():  # blank lines right after the header
                j += 1
            taken = 0
            while j < len(lines) and taken < _MAX_LINK_LINES and _is_headline_like(lines[j]):
                taken += 1
                j += 1
            if taken:
                marked.extend([DROP] * (j - i - 1))
                i = j
            else:
                i += 1
            continue
        marked.append(DROP if is_boilerplate_line(line) else line)
        i += 1

    out: list[str] = []
    blanks: list[str] = []
    dropped = False
    for item in marked + [None]:
        if item is DROP:
            dropped = True
            continue
        if isinstance(item, str) and not item.strip():
            blanks.append(item)
            continue
        # a content line (or the end): flush the pending run of blank lines
        if blanks:
            if dropped:
                keep = 0 if not out else 1
            else:
                keep = 1 if len(blanks) >= 3 else len(blanks)
            out.extend(blanks if keep == len(blanks) else [""] * keep)
        blanks = []
        dropped = False
        if item is not None:
            out.append(item)  # type: ignore[arg-type]
    return "\n".join(out).rstrip()


# --------------------------------------------------------------------------- hashing
def normalise_for_hash(title: str, body: str) -> str:
    """NFC, whitespace collapsed, stripped and casefolded; title and body joined by a newline."""

    def norm(s: str) -> str:
        return _WS.sub(" ", unicodedata.normalize("NFC", s)).strip().casefold()

    return norm(title) + "\n" + norm(body)


def content_hash(title: str, body: str) -> str:
    """Full sha256 hex digest of :func:`normalise_for_hash`."""
    return hashlib.sha256(normalise_for_hash(title, body).encode("utf-8")).hexdigest()


def content_id(title: str, body: str) -> str:
    """Stable article id derived from the content: ``a-`` + 16 hex chars."""
    return "a-" + content_hash(title, body)[:16]
