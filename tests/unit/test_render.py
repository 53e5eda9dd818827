"""The human-readable story view (demo, ``storystream tail``)."""
from services.render import render_story


def _state(variants):
    return {"story_id": "st-1", "version": 2, "headline": "h", "totals": {"articles": 2},
            "quotes": [{"kind": "full", "speaker": "A. Speaker", "text": "It would be a huge mistake.",
                        "article_ids": ["a1", "a2"], "variants": variants}]}


def test_variants_show_their_kind_so_a_headline_and_a_body_wording_are_told_apart():
    out = render_story(_state([
        {"article_id": "a1", "text": "huge mistake", "kind": "headline"},
        {"article_id": "a1", "text": "huge mistake", "kind": "partial"},
        {"article_id": "a2", "text": "It would be a huge mistake.", "kind": "full"},
    ]))
    lines = [ln.strip() for ln in out.splitlines() if ln.strip().startswith("~")]
    assert lines == ["~ [headline] a1: “huge mistake”", "~ [partial] a1: “huge mistake”",
                     "~ [full] a2: “It would be a huge mistake.”"]
    assert "A. Speaker: “It would be a huge mistake.”  (2 article(s))" in out


def test_a_single_wording_is_not_repeated_as_a_variant():
    out = render_story(_state([{"article_id": "a1", "text": "It would be a huge mistake.", "kind": "full"}]))
    assert "~" not in out


def test_the_delta_line_shows_articles_moved_by_a_split():
    kept = render_story({**_state([]), "delta": {"articles_added": ["a9"], "articles_removed": ["b1", "b2", "b3"]}})
    new = render_story({**_state([]), "delta": {"articles_moved_in": ["b1", "b2", "b3"], "quotes_added": ["q"]}})
    plain = render_story({**_state([]), "delta": {"articles_added": ["a9"]}})
    assert "+1 article(s)" in kept and "3 moved out to another story" in kept
    assert "+0 article(s)" in new and "3 moved in from another story (split, merge or re-homing)" in new
    gone = render_story({**_state([]), "merged_into": "st-kept", "delta": {"articles_removed": ["c1", "c2"]}})
    assert "2 moved out to another story (merged into st-kept)" in gone
    assert "moved" not in plain
