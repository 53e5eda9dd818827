"""The extractor bench (bench/extract.py): its in-run baseline really rebuilds the text per
access and is undone afterwards, and a small run prints its table with both ways agreeing."""
from __future__ import annotations

import spacy

from bench import extract
from services.common import doc_text
from services.quotes import names


def test_the_baseline_patches_every_reader_and_restores_them():
    doc = spacy.blank("en")("One two three.")
    with extract.text_rebuilt_per_access() as patched:
        assert patched >= 5                                  # the quote and entity modules that read it
        assert names.text_of is not doc_text.text_of
        names.text_of(doc)
        assert doc._.storystream_text is None                # nothing kept
    assert names.text_of is doc_text.text_of


def test_a_small_run_prints_the_table_and_agrees(capsys):
    assert extract.main(["--articles", "3", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "| text kept (now) |" in out and "same output both ways: True" in out
