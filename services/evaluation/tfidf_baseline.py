"""The naive baseline the clustering is compared with: a single pass over the stream, each article
joining the most similar story (cosine of TF-IDF vectors against the story's centroid) when that
cosine reaches ``threshold``, else starting one.  On a dated stream only stories whose newest
article is at most ``window_days`` older than the arriving one are candidates.

The vectors are scikit-learn's ``TfidfVectorizer`` (English stop words, l2-normalised) over
headline + body, fitted on the whole data set (the baseline is given its vocabulary and document
frequencies up front).  A story's centroid is the sum of its members' vectors; with the article
Gram matrix ``G`` the cosine of article ``i`` with story ``S`` is ``sum(G[i, S]) / ||sum S||`` and
``||sum S||²`` grows by ``2 * sum(G[i, S]) + 1`` when ``i`` joins, so the pass is exact and cheap.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from services.evaluation.story_inputs import Item

THRESHOLD = 0.3        # the baseline: cosine threshold 0.3
WINDOW_DAYS = 3.0      # and a 3-day window on dated streams


def single_pass(items: Sequence[Item], threshold: float = THRESHOLD,
                window_days: float = WINDOW_DAYS) -> dict[str, str]:
    """article id -> story label for ``items`` streamed in the order given."""
    ids = [it.article_id for it in items]
    x = TfidfVectorizer(stop_words="english").fit_transform([it.text for it in items])
    gram = (x @ x.T).toarray()
    members: list[list[int]] = []
    norm2: list[float] = []
    newest: list = []
    window = timedelta(days=window_days)
    pred: dict[str, str] = {}
    for i, it in enumerate(items):
        best, best_cos, best_dot = -1, threshold, 0.0
        for c, m in enumerate(members):
            if it.published is not None and newest[c] is not None and it.published - newest[c] > window:
                continue
            dot = float(gram[i, m].sum())
            cos = dot / np.sqrt(norm2[c]) if norm2[c] > 0 else 0.0
            if cos >= best_cos:
                best, best_cos, best_dot = c, cos, dot
        if best < 0:
            members.append([i])
            norm2.append(float(gram[i, i]))
            newest.append(it.published)
            best = len(members) - 1
        else:
            members[best].append(i)
            norm2[best] += 2 * best_dot + float(gram[i, i])
            if it.published is not None and (newest[best] is None or it.published > newest[best]):
                newest[best] = it.published
        pred[ids[i]] = f"b{best}"
    return pred
