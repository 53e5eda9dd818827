"""Repairs of placements: the split, the merge, re-homing a member, and wire copies.

A placement is final only as far as the evidence goes.  A report of a sister event that arrives
while a story has one or two articles can join it (nothing is core yet, so nothing conflicts),
and the mixed story then looks coherent to every later article.  So a small story is re-checked
as it grows (:func:`split_due`, :meth:`Repairs.bisect`): its members are divided in two by a
leave-one-out 2-means on the clustering scores (from two starts: seeds, and average-link
halves that keep loose reports from deciding the division), and the story is split when each
side has at least ``split_min_side`` distinct texts (wire copies count once: :func:`copies`)
and the sides' mean score against each other plus how much their headlines share
(``Scorer.headline_cross``) is below ``split_threshold``: two clubs' offers to one player share
every name in the body, not the headline; one event's reports share their headlines even when
their bodies differ.

The converse, :meth:`Repairs.mutual`: one event's first reports can start two stories; when an
article bridges them and each side's articles score at least ``merge_threshold`` against the
other, they are one.  :meth:`Repairs.misplaced`: a member that fits another story better than
the rest of its own moves there.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Optional

from services.aggregator.memo import IdentityMemo
from services.aggregator.params import DEFAULT_PARAMS, ClusterParams
from services.aggregator.scoring import Scorer, StoryView
from services.aggregator.signature import ArticleSignature, StorySignature, story_of
from services.aggregator.vectors import cosine, vector_norm


# one-article story signatures kept at most (then forgotten at once): a memory bound, not a knob
SINGLES_MAX = 4096


class Repairs:
    """The split, merge and re-homing checks, on the scores of a :class:`Scorer`."""

    def __init__(self, scorer: Scorer, params: ClusterParams) -> None:
        self.scorer = scorer
        self.params = params
        # one-article story signatures: the same members are checked again at every
        # split-check size of their story
        self._singles: IdentityMemo[ArticleSignature, StorySignature] = IdentityMemo(SINGLES_MAX)

    def single(self, sig: ArticleSignature) -> StorySignature:
        """``story_of([sig])``, memoised (callers only read it)."""
        return self._singles.get(sig, lambda a: story_of([a]))

    def bisect(self, sigs: Mapping[str, ArticleSignature]) -> Optional[tuple[list[str], list[str], float]]:
        """Does a story hold two events?  ``sigs``: its members' article signatures.

        Likeness of two members: the mean of both directions' score of one against the other
        as a one-article story.  Two starting divisions:

        * seeds: the member that scores lowest against the story, and the member least like
          it; every other member goes to the seed it is more like;
        * average-link halves (:func:`average_link_halves`): the two groups of members that stay
          apart longest when the most alike groups are merged first, loose reports joining
          the half they are more like.

        Each is then refined on the clustering score itself: round by round, every member goes
        to the side it scores higher against (its own side without itself: a leave-one-out
        2-means), until nothing moves.  The refined division with the lower ``cross`` wins
        (seeded from a loose report, the first start divides "that report and a few like it"
        from the rest, a side too small to split, and a mix of a sharp event and a loose
        sister event would be missed).
        Returns ``(side A, side B, cross)`` when both sides have ``split_min_side`` members,
        ``cross`` (the larger of the two sides' mean score against the other) plus the sides'
        ``Scorer.headline_cross`` is below ``split_threshold`` (neither side would readily join the
        other as a story, and the less so the less their headlines share), and the sides are
        not one story by the merge's measure (:meth:`mutual` below ``merge_threshold``, so a
        split is never undone by a merge nor a merge by a split); else None.  Deterministic:
        ties go by article id.  Each score is what ``Scorer.best`` would give the article against
        that side as an open story (centroid and best-member terms)."""
        prm = self.params
        ids = sorted(sigs)
        copy_of = copies(sigs, prm)
        if len(set(copy_of.values())) < 2 * prm.split_min_side:
            return None
        vec = {a: self.scorer.member_vec(sigs[a].entities, sigs[a].title) for a in ids}
        norm = {a: vector_norm(v) for a, v in vec.items()}
        msim = {(a, b): cosine(vec[a], vec[b], norm[a], norm[b]) for a in ids for b in ids}

        def score(a: str, sig: StorySignature, rest: list[str], view: Optional[StoryView] = None) -> float:
            s = self.scorer.score(sigs[a], sig, view=view)
            if prm.w_member and rest:
                s += prm.w_member * (max(msim[a, b] for b in rest) - prm.member_base)
            return s

        # likeness of every two members (each article's and each one-article story's view built once)
        single = {b: self.single(sigs[b]) for b in ids}
        sviews = {b: self.scorer.story_view(single[b]) for b in ids}
        to = {(a, b): score(a, single[b], [b], sviews[b]) for b in ids for a in ids if a != b}
        like = {(a, b): (to[a, b] + to[b, a]) / 2 for a, b in to}

        def least_like(x: str) -> str:
            return min((a for a in ids if a != x), key=lambda a: (like[a, x], a))

        def seeded(p: str, q: str) -> dict[str, int]:
            return {a: 0 if a == p or (a != q and like[a, p] >= like[a, q]) else 1 for a in ids}

        whole = story_of(sigs[a] for a in ids)
        view = self.scorer.story_view(whole)
        p = min(ids, key=lambda a: (score(a, whole, [b for b in ids if b != a], view), a))
        starts = [seeded(p, least_like(p))]
        halves = average_link_halves(ids, like, prm.split_min_side)
        if halves is not None:
            starts.append(halves)

        found: dict[tuple[str, ...], tuple[float, float, list[list[str]]]] = {}
        for side in starts:
            groups = self.refine(sigs, ids, side, score, copy_of)
            if groups is None:
                continue
            key = tuple(min(groups))
            if key in found:
                continue
            sides = [[sigs[a] for a in g] for g in groups]
            both = (self.scorer.side_score(sides[0], sides[1]), self.scorer.side_score(sides[1], sides[0]))
            found[key] = (max(both), min(both), groups)
        if not found:
            return None
        cross, mutual, groups = min(found.values(), key=lambda t: (t[0], min(t[2])))
        if mutual >= prm.merge_threshold:
            return None                          # one story by the merge's measure: never split what it would join
        if cross + self.scorer.headline_cross([sigs[a] for a in groups[0]], [sigs[a] for a in groups[1]]) \
                >= prm.split_threshold:
            return None
        return groups[0], groups[1], cross

    def refine(self, sigs: Mapping[str, ArticleSignature], ids: list[str], side: dict[str, int],
               score, copy_of: Mapping[str, str]) -> Optional[list[list[str]]]:
        """Leave-one-out 2-means from ``side`` (member -> 0/1) on ``score``; the two sides, or
        None once a side has fewer than ``split_min_side`` distinct texts (``copy_of``: member ->
        its text's first member, see :func:`copies`)."""
        def distinct(g: list[str]) -> int:
            return len({copy_of[a] for a in g})

        p = self.params
        for _ in range(p.split_rounds):
            groups = [[a for a in ids if side[a] == k] for k in (0, 1)]
            if min(map(distinct, groups)) < p.split_min_side:
                return None
            sums = [story_of([sigs[a] for a in g]) for g in groups]
            gviews = [self.scorer.story_view(sm) for sm in sums]
            moved = {}
            for a in ids:
                s = []
                for k in (0, 1):
                    rest = [b for b in groups[k] if b != a]
                    if side[a] != k:
                        s.append(score(a, sums[k], rest, gviews[k]))
                    else:                       # leave one out: the side without ``a``
                        loo = sums[k].copy()
                        loo.add(sigs[a], -1)
                        s.append(score(a, loo, rest))
                moved[a] = 0 if s[0] >= s[1] else 1
            if moved == side:
                break
            side = moved
        groups = [[a for a in ids if side[a] == k] for k in (0, 1)]
        return groups if min(map(distinct, groups)) >= p.split_min_side else None

    def mutual(self, a_sigs: list[ArticleSignature], b_sigs: list[ArticleSignature]) -> float:
        """How much two stories are one: the lower of the two sides' mean score against the
        other, each article scored as ``Scorer.best`` would score it against the other side as an
        open story (centroid and best-member terms).  ``merge_threshold`` and above: every
        article of each, on average, would have joined the other.  A one-article story against
        a larger one: that article's score only (a lone article is too noisy a centroid to
        score the other side against; it was placed when the other story was smaller)."""
        if len(a_sigs) == 1 < len(b_sigs):
            return self.scorer.side_score(a_sigs, b_sigs)
        if len(b_sigs) == 1 < len(a_sigs):
            return self.scorer.side_score(b_sigs, a_sigs)
        return min(self.scorer.side_score(a_sigs, b_sigs), self.scorer.side_score(b_sigs, a_sigs))

    def misplaced(self, sid: str, sigs: Mapping[str, ArticleSignature], stay: str, threshold: float,
                  allowed: Callable[[str], bool]) -> dict[str, str]:
        """Members of story ``sid`` (``sigs``: its members' signatures) that fit another story
        better: member -> that story, for each member (but ``stay``) whose best score among the
        ``allowed`` other stories reaches ``threshold`` and beats its score against the rest
        of its own story (leave-one-out, as ``bisect`` scores a side), while that score is
        below ``merge_threshold``: a member attached as firmly as two stories that are one event
        stays (moving it between two fragments of one event would only keep them from merging).

        Why: an article joins the best story at the time.  A report that came while its
        event's story was small or not yet started can sit in a sister event's story, which
        the split does not catch while it is fewer than ``split_min_side`` reports; once the
        story it belongs to has grown, it scores higher there (a k-means step, member by member)."""
        out: dict[str, str] = {}
        ids = sorted(sigs)
        views: dict[str, StoryView] = {}
        for m in ids:
            if m == stay:
                continue
            other, s = self.scorer.best(sigs[m], lambda c: c != sid and allowed(c), views, at_least=threshold)
            if other is None or s < threshold:
                continue
            own = self.scorer.side_score([sigs[m]], [sigs[a] for a in ids if a != m])
            if own < s and own < self.params.merge_threshold:
                out[m] = other
        return out


def average_link_halves(ids: list[str], like: Mapping[tuple[str, str], float],
                         min_side: int) -> Optional[dict[str, int]]:
    """Average-link agglomeration on member likeness, stopped at the last step with two groups
    of at least ``min_side`` members: those two are the halves, and every smaller group
    (loose reports, outliers) goes to the half it is on average more like."""
    groups = [[a] for a in ids]

    def avg(g: list[str], h: list[str]) -> float:
        return sum(like[a, b] for a in g for b in h) / (len(g) * len(h))

    last = None
    while len(groups) > 1:
        big = sorted((g for g in groups if len(g) >= min_side), key=lambda g: (-len(g), g))
        if len(big) >= 2:
            last = (big[0], big[1], [g for g in groups if g is not big[0] and g is not big[1]])
        i, j = max(((i, j) for i in range(len(groups)) for j in range(i + 1, len(groups))),
                   key=lambda ij: (avg(groups[ij[0]], groups[ij[1]]), [-k for k in ij]))
        groups[i] = sorted(groups[i] + groups[j])
        del groups[j]
    if last is None:
        return None
    a_half, b_half, rest = last
    side = dict.fromkeys(a_half, 0) | dict.fromkeys(b_half, 1)
    for g in rest:
        k = 0 if avg(g, a_half) >= avg(g, b_half) else 1
        side.update(dict.fromkeys(g, k))
    return side


def split_due(n: int, params: ClusterParams = DEFAULT_PARAMS) -> bool:
    """Whether a story that has just grown to ``n`` articles is re-checked for two events: from
    twice ``split_min_side`` to ``split_max_members`` articles, at every ``split_every``-th size
    (fewer checks, for the same splits)."""
    p = params
    return 2 * p.split_min_side <= n <= p.split_max_members and n % p.split_every == 0


def copies(sigs: Mapping[str, ArticleSignature], params: ClusterParams = DEFAULT_PARAMS) -> dict[str, str]:
    """Member -> the first member (by id) whose text it copies: syndicated wire copies and
    re-posts (the same headline words and body terms at cosine ``near_copy`` or more,
    transitively).  A split counts texts, not copies: four copies of one report are one
    report's evidence, and two groups of copies of two reports of one event are not two events."""
    ids = sorted(sigs)
    vecs = {a: {t: 1.0 + math.log(c) for t, c in sigs[a].terms.items()} for a in ids}
    norms = {a: vector_norm(v) for a, v in vecs.items()}
    root = {a: a for a in ids}

    def find(a: str) -> str:
        while root[a] != a:
            a = root[a]
        return a
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if (find(a) != find(b) and sigs[a].title == sigs[b].title
                    and cosine(vecs[a], vecs[b], norms[a], norms[b]) >= params.near_copy):
                root[find(b)] = find(a)
    return {a: find(a) for a in ids}
