"""clean_lines drops whole boilerplate lines and never edits the lines it keeps."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.producer.clean import (
    clean_lines,
    content_hash,
    content_id,
    is_boilerplate_line,
    normalise_for_hash,
)

SEEDS = Path(__file__).resolve().parents[3] / "seeds"

BOILERPLATE = [
    "Skip to main content",
    "Skip to content",
    "Scroll to Top",
    "Back to top",
    "Home | World | Politics | Business | Sport",
    "Home › World › Europe",
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "© 2023 Example Publishing Ltd",
    "(c) 2021 Daily Placeholder",
    "Copyright 2023 Placeholder Media Inc. All rights reserved. This material may not be redistributed.",
    "Copyright © 2024 Example Co.",
    "All rights reserved.",
    "Market data provided by Example Data Corp.",
    "Stock quotes supplied by Example Feeds",
    "Data & News supplied by www.example.io",
    "Quotes delayed at least 15 minutes.",
    "Quotes are delayed by at least 20 minutes unless otherwise indicated.",
    "Powered by Example Ticker",
    "By accessing this page, you agree to the following",
    "Privacy Policy and Terms and Conditions.",
    "Terms of Use | Privacy Policy | Cookie Settings",
    "Tags Economy Inflation Central bank Interest rates",
    "Tags: economy, inflation",
    "Topics: Elections, Congress",
    "Read more: Ministers clash over budget plans",
    "READ MORE",
    "READ MORE:",
    "Related: Storm batters coastal towns",
    "Related stories: Flood warnings issued",
    "Click here to subscribe.",
    "Click here for the full interview",
    "Sign up for our daily newsletter",
    "Sign up to the Morning Brief newsletter for free.",
    "Share this article",
    "Share on Facebook",
    "Share: Facebook Twitter Email",
    "Facebook Twitter LinkedIn Email",
    "Follow us on Twitter",
    "Follow Jane Doe on X",
]

ARTICLE_TEXT = [
    "The judge said the copyright claim was weak.",
    "Copyright law protects authors, the court said.",
    "Copyright holders have complained for years.",
    "Readers who want to read more about the plan can visit the library.",
    "Read more about the plan in the full report, she said.",
    "Share prices fell 3% on Monday.",
    "Shares rose after the announcement.",
    "Tags were attached to the birds before release.",
    "Data provided by the ministry showed a 3% rise in inflation.",
    "Powered by solar panels, the car drove 300 miles without stopping.",
    "Follow the money, investigators said.",
    "She said the company reserved all rights to appeal.",
    "“I think it would be a huge mistake,” Harris said.",
    "Click-through rates fell sharply, the study found.",
    "Home prices rose 5% in May.",
    "The advertisement ran for a week before it was pulled.",
    "He signed up for the army in 1942.",
    "Related research shows the same trend.",
    "Diplomatic isolation",
    "CNN",
]


@pytest.mark.parametrize("line", BOILERPLATE)
def test_boilerplate_line_is_dropped(line: str) -> None:
    assert is_boilerplate_line(line), line
    text = f"First paragraph.\n\n{line}\n\nSecond paragraph."
    assert clean_lines(text) == "First paragraph.\n\nSecond paragraph."


@pytest.mark.parametrize("line", ARTICLE_TEXT)
def test_article_line_is_kept(line: str) -> None:
    assert not is_boilerplate_line(line), line
    text = f"First paragraph.\n\n{line}\n\nSecond paragraph."
    assert clean_lines(text) == text


def test_kept_lines_are_byte_for_byte() -> None:
    lines = [
        "  Indented line with trailing spaces   ",
        "Tabs\there\tand\u00a0non-breaking\u00a0spaces ",
        "Windows line\r",
        "“Curly quotes” and — dashes … ",
        "Advertisement",
        "Last line.",
    ]
    out = clean_lines("\n".join(lines))
    assert out.split("\n") == lines[:4] + ["Last line."]


def test_collapses_three_or_more_blank_lines() -> None:
    assert clean_lines("a\n\n\n\nb") == "a\n\nb"  # 3 blank lines -> 1
    assert clean_lines("a\n\n  \n\t\n\nb") == "a\n\nb"  # whitespace-only lines count as blank
    assert clean_lines("a\n\nb") == "a\n\nb"  # one blank line stays
    assert clean_lines("a\nb") == "a\nb"


def test_dropping_a_line_does_not_leave_a_hole() -> None:
    assert clean_lines("a\n\nAdvertisement\n\nb") == "a\n\nb"
    assert clean_lines("a\nAdvertisement\nb") == "a\nb"
    assert clean_lines("Skip to main content\n\nTitle\n\nBody.") == "Title\n\nBody."


def test_strips_trailing_whitespace_of_whole_text_only() -> None:
    assert clean_lines("  lead keeps its indent\nend.  \n\n\n") == "  lead keeps its indent\nend."


def test_read_more_block_drops_the_linked_headlines() -> None:
    text = "Body sentence.\nREAD MORE:\nUN warns of dire global impact\nAnother paragraph that ends."
    assert clean_lines(text) == "Body sentence.\nAnother paragraph that ends."
    # a header followed by a real paragraph keeps the paragraph
    text = "Body sentence.\n\nRelated\n\nThe talks resumed on Tuesday, officials said."
    assert clean_lines(text) == "Body sentence.\n\nThe talks resumed on Tuesday, officials said."


def test_rules_name_no_outlet_from_the_seeds() -> None:
    source = (Path(__file__).resolve().parents[3] / "services/producer/clean.py").read_text("utf-8")
    for name in ("nexstar", "cloudquote", "barchart", "fox news", "cnn", "the hill", "afp"):
        assert not re.search(rf"\b{re.escape(name)}\b", source, re.IGNORECASE), name


# ------------------------------------------------------------------------ seeds
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def test_seed_files_exist() -> None:
    assert len(SEED_FILES) >= 5


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_cleaning_keeps_text_and_quotes(path: Path) -> None:
    text = path.read_text("utf-8")
    cleaned = clean_lines(text)
    kept = cleaned.split("\n")
    # every kept line is an original line (the last one may lose trailing whitespace)
    original = text.split("\n")
    for line in kept[:-1]:
        assert line in original
    assert any(o.rstrip() == kept[-1] for o in original)
    # every quotation stays
    for quote in re.findall(r"“[^”]+”", text):
        assert quote in cleaned, quote
    # and no tag list / footer line remains
    for line in kept:
        s = line.strip()
        assert not s.startswith("Tags "), s
        assert not re.match(r"(copyright|©)", s, re.IGNORECASE), s
        assert not re.search(r"supplied by|delayed at least|by accessing this page|privacy policy", s, re.I), s
        assert s not in {"Skip to main content", "Scroll to Top", "READ MORE:"}


def _seed(prefix: str) -> str:
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return path.read_text("utf-8")


def test_seed_specific_lines() -> None:
    c0 = clean_lines(_seed("000_"))
    assert "Tags Biden administration" not in c0
    assert c0.endswith("responsible for the arms transfers.")

    c1 = clean_lines(_seed("001_"))
    assert "All rights reserved" not in c1
    assert c1.endswith("The Associated Press contributed to this report.")

    c2 = clean_lines(_seed("002_"))
    assert not c2.startswith("Skip to main content")
    for gone in ("supplied by", "Quotes delayed", "By accessing this page", "Privacy Policy"):
        assert gone not in c2
    assert '"It is very clear that Russia has -- clearly -- they are very desperate' in c2

    c3 = clean_lines(_seed("003_"))
    assert "Scroll to Top" not in c3
    assert "\n\n\n" not in c3

    c4 = clean_lines(_seed("004_"))
    assert "READ MORE" not in c4 and "UN warns of dire global impact" not in c4
    assert c4.endswith("posting a video of himself meeting soldiers.")
    assert "Diplomatic isolation" in c4


# ------------------------------------------------------------------------ hashing
def test_normalise_for_hash() -> None:
    composed = "Caf\u00e9"
    decomposed = "Cafe\u0301"
    assert normalise_for_hash(composed, "x") == normalise_for_hash(decomposed, "x")
    assert normalise_for_hash("  A  Title\t", "Body\n\n  text ") == "a title\nbody text"
    assert normalise_for_hash("STRASSE", "x") == normalise_for_hash("straße", "x")


def test_content_id_and_hash_are_stable() -> None:
    h = content_hash("Title", "Body text.")
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert content_id("Title", "Body text.") == "a-" + h[:16]
    # same normalised content -> same id; pinned so it cannot drift silently
    assert content_id("  title ", "body   TEXT.") == content_id("Title", "Body text.")
    assert content_id("Title", "Body text.") == "a-" + __import__("hashlib").sha256(
        "title\nbody text.".encode()).hexdigest()[:16]
    assert content_id("Title", "Other body.") != content_id("Title", "Body text.")
    # title/body boundary matters
    assert content_hash("a b", "c") != content_hash("a", "b c")
