"""The split check (bisect), the merge's measure, wire copies."""
from __future__ import annotations

from services.aggregator.repairs import average_link_halves, copies, split_due
from services.aggregator.signature import article_signature
from tests.unit.aggregator.test_helpers import P, article, coach_fired, coach_hired, ent, mixed_coaches, run


def test_bisect_finds_the_two_events_and_refuses_one():
    eng, _ = run([coach_fired("a0")])
    sigs = {aid: article_signature(e, q) for q, e in mixed_coaches() for aid in [e.article.article_id]}
    for s in sigs.values():
        eng.index.observe(s)
    a_side, b_side, cross = eng.repairs.bisect(sigs)
    assert sorted([a_side, b_side]) == [["a1", "a2", "a3", "a4", "a5"], ["b1", "b2", "b3", "b4", "b5"]]
    assert cross + eng.scorer.headline_cross([sigs[a] for a in a_side], [sigs[a] for a in b_side]) < P.split_threshold
    assert eng.repairs.bisect({a: s for a, s in sigs.items() if a.startswith("a")}) is None
    assert eng.repairs.bisect({a: sigs[a] for a in ("a1", "a2", "a3", "b1", "b2", "b3")}) is None   # sides too small


def _arena(aid: str, i: int = 0):
    """A loose report on the same team, about neither event."""
    return article(aid, ["Comets unveil new arena plans", "Harbor City backs Comets arena"][i % 2],
                   [ent("Comets", "ORG", n=2, in_title=True), ent("Harbor City", "GPE", n=2), ent("Vera Olund", n=2)],
                   {"arena": 4, "vote": 2, "council": 2, "stadium": 2, "fund": 1 + i % 2})


def test_bisect_finds_two_events_among_loose_reports():
    """The member that fits the story least is a loose report here: seeded from it, the
    division is 'loose reports vs the rest' and too small a side, so no split.  The
    average-link start groups the two events first and puts the loose reports with the nearer."""
    eng, _ = run([coach_fired("a0")])
    arts = mixed_coaches() + [_arena("c1", 0), _arena("c2", 1)]
    sigs = {e.article.article_id: article_signature(e, q) for q, e in arts}
    for s in sigs.values():
        eng.index.observe(s)
    a_side, b_side, cross = eng.repairs.bisect(sigs)
    sides = sorted([a_side, b_side])
    assert [a for a in sides[0] if a[0] != "c"] == ["a1", "a2", "a3", "a4", "a5"]
    assert sides[1] == ["b1", "b2", "b3", "b4", "b5"]
    halves = average_link_halves(sorted(sigs), {(a, b): 1.0 if a[0] == b[0] else 0.0
                                                for a in sigs for b in sigs if a != b}, P.split_min_side)
    assert halves is not None and halves["a1"] != halves["b1"]
    for event in "ab":
        assert {halves[a] for a in sigs if a[0] == event} == {halves[event + "1"]}


def _bid(aid: str, team: str, i: int = 0, headlines: str | None = None, manager: int = 3, **kw):
    """One of two clubs' offers to one player: each report names the player, his agent and the
    rival club; the club's own manager and a few words differ, and the headline."""
    heads = {"Comets": ["Comets make Ivo Lund an offer", "Comets bid for Lund", "Comets chase slugger Ivo Lund"],
             "Harbors": ["Harbors extend Lund proposal", "Harbors go big for Ivo Lund", "Harbors join race for Lund"]}
    rival = "Harbors" if team == "Comets" else "Comets"
    return article(aid, heads[headlines or team][i % 3],
                   [ent("Ivo Lund", n=3, in_title=True), ent(team, "ORG", n=3, in_title=True), ent(rival, "ORG"),
                    ent("Pia Sorn", n=2), ent("Tony Rask" if team == "Comets" else "Theo Brandt", n=manager)],
                   {"offer": 3, "contract": 2, "agent": 1, "free": 1 + i % 2,
                    **({"owner": 1, "meeting": 1} if team == "Comets" else {"tax": 1, "payroll": 1})}, **kw)


def _bids(headlines: str | None = None, manager: int = 3):
    return [_bid(f"{'a' if team == 'Comets' else 'b'}{i + 1}", team, i, headlines, manager,
                 hours=2 * i + (team == "Harbors"))
            for i in range(P.split_min_side + 1) for team in ("Comets", "Harbors")]


def test_two_offers_to_one_player_split_on_their_headlines():
    """The two clubs' reports share the player, his agent and both clubs' names: each side's
    reports would join the other side's story (cross well above the match threshold), but
    their headlines share little, so they are two events."""
    eng, _ = run([coach_fired("z0")])
    sigs = {e.article.article_id: article_signature(e, q) for q, e in _bids()}
    for s in sigs.values():
        eng.index.observe(s)
    a_side, b_side, cross = eng.repairs.bisect(sigs)
    assert sorted([a_side, b_side]) == [["a1", "a2", "a3", "a4", "a5"], ["b1", "b2", "b3", "b4", "b5"]]
    heads = eng.scorer.headline_cross([sigs[a] for a in a_side], [sigs[a] for a in b_side])
    assert cross > 1.5 * P.match_threshold and heads < 0.25 and cross + heads < P.split_threshold
    eng, ups = run(_bids())
    assert ups[1].story_id == ups[0].story_id and sum(1 for u in ups if u.split_into) == 1
    final = eng.assignments()
    assert len({final[f"a{i}"] for i in range(1, 6)}) == 1 == len({final[f"b{i}"] for i in range(1, 6)})
    assert final["a1"] != final["b1"]
    # the same reports under one club's headlines: one story
    eng, ups = run(_bids(headlines="Comets"))
    assert not any(u.split_into for u in ups) and len(set(eng.assignments().values())) == 1


def test_a_division_the_merge_would_join_is_never_split():
    """Bodies so alike (each club's manager named twice) that the merge would join the two sides
    (mutual >= MERGE_THRESHOLD): no split, however little the headlines share, so a split is
    never undone by a merge nor a merge by a split."""
    eng, _ = run([coach_fired("z0")])
    sigs = {e.article.article_id: article_signature(e, q) for q, e in _bids(manager=2)}
    for s in sigs.values():
        eng.index.observe(s)
    a_side, b_side = ([sigs[a] for a in sigs if a[0] == k] for k in "ab")
    cross = max(eng.scorer.side_score(a_side, b_side), eng.scorer.side_score(b_side, a_side))
    assert cross + eng.scorer.headline_cross(a_side, b_side) < P.split_threshold
    assert eng.repairs.mutual(a_side, b_side) >= P.merge_threshold
    assert eng.repairs.bisect(sigs) is None


def test_copies_of_one_text_count_once_in_a_split():
    """Wire copies and re-posts: five copies each of one 'fired' and one 'hired' report are two
    reports' evidence, too little to split on; five distinct reports of each event split."""
    eng, _ = run([coach_fired("z0")])
    arts = [coach_fired(f"a{k}", 0) for k in range(5)] + [coach_hired(f"b{k}", 0) for k in range(5)]
    sigs = {e.article.article_id: article_signature(e, q) for q, e in arts}
    distinct = {e.article.article_id: article_signature(e, q) for q, e in mixed_coaches()}
    for s in [*sigs.values(), *distinct.values()]:
        eng.index.observe(s)
    assert set(copies(sigs).values()) == {"a0", "b0"}
    assert len(set(copies(distinct).values())) == len(distinct)     # one headline, other words: not copies
    assert eng.repairs.bisect(sigs) is None
    assert eng.repairs.bisect(distinct) is not None


def test_split_checks_are_bounded():
    assert not split_due(2 * P.split_min_side - 1)
    assert [n for n in range(P.split_max_members + 1) if split_due(n)] == \
        list(range(2 * P.split_min_side, P.split_max_members + 1, 2))
    assert not any(split_due(n) for n in range(P.split_max_members + 1, 500))


def test_a_members_one_article_story_is_made_once_and_equals_a_fresh_one():
    """The split check reads each member as a one-article story at every check of its story:
    memoised per article signature, equal to ``story_of``, and the bisection the same with the
    memo emptied before every call."""
    from services.aggregator.signature import story_of
    eng, _ = run([coach_fired("a0")])
    sigs = {aid: article_signature(e, q) for q, e in mixed_coaches() for aid in [e.article.article_id]}
    for s in sigs.values():
        eng.index.observe(s)
    first = eng.repairs.bisect(sigs)
    one = sigs["a1"]
    assert eng.repairs.single(one) is eng.repairs.single(one)
    assert eng.repairs.single(one).to_json() == story_of([one]).to_json()
    eng.repairs._singles.clear()
    assert eng.repairs.bisect(sigs) == first
