"""Every tuned value of story clustering, in one frozen object.

``ClusterParams()`` holds the values the product runs with; a fitting script builds another
with ``dataclasses.replace(ClusterParams(), ...)`` and hands it to the engine
(``EngineConfig(params=...)``).

Fitted values come from ``fitted.json`` beside this module, written by ``storystream fit stories``
(:mod:`services.evaluation.story_cv`; docs/quality-stories.md); every other field is hand-set and
:data:`NOT_FITTED` says why (a unit test checks that each field is one or the other).

The mappings are read-only by convention (a frozen dataclass cannot freeze a dict; a
``MappingProxyType`` would slow the hottest lookups).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

FITTED_PATH = Path(__file__).with_name("fitted.json")
FITTED: dict = json.loads(FITTED_PATH.read_text(encoding="utf-8"))["params"]


def _type_weight() -> dict[str, float]:
    return {"PERSON": 1.0, "GPE": 0.8, "LOC": 0.8, "ORG": 0.8, "FAC": 0.7, "NORP": 0.5,
            "EVENT": 0.6, "WORK_OF_ART": 0.6, "PRODUCT": 0.5, "LAW": 0.6}


def _entity_class() -> dict[str, str]:
    return {"PERSON": "who", "GPE": "where", "LOC": "where", "FAC": "site", "ORG": "org"}


def _class_weight() -> dict[str, float]:
    return {"who": 1.0, "where": 1.0, "site": 1.0, "org": 0.5}


@dataclass(frozen=True, slots=True)
class ClusterParams:
    # -- placement
    match_threshold: float = FITTED["match_threshold"]   # an article joins the best story at this score, else starts one
    max_candidates: int = 50           # stories fully scored per article (pre-ranked by shared features)
    candidate_terms: int = 15          # the article's most distinctive terms that find candidate stories

    # -- the learned rescue of a placement the hand score rejects (services/aggregator/learned.py):
    # a logistic regression over learned.FEATURES (empty coefficients: no rescue)
    rescue_coef: tuple[float, ...] = tuple(FITTED.get("rescue_coef", ()))
    rescue_intercept: float = FITTED.get("rescue_intercept", 0.0)
    rescue_threshold: float = FITTED.get("rescue_threshold", 1.0)   # join the most probable story from this probability

    # -- an article's signature
    # salience of an entity by type (types not listed identify no story and are left out)
    type_weight: dict[str, float] = field(default_factory=_type_weight)
    title_entity_boost: float = 2.0    # an entity named in the headline weighs this many times more
    shingle_words: int = 4             # words per quote shingle (a quote's overlap with a story's quotes)

    # -- the score of an article against a story
    w_entities: float = 0.5            # weight of the cosine of entity name tokens
    w_terms: float = 0.35              # weight of the cosine of body terms
    w_title: float = 0.15              # weight of the cosine of headline words
    w_quote: float = 0.3               # bonus for quoting a statement the story already carries
    w_member: float = 0.2              # weight of the similarity to the most similar member (open stories)
    member_base: float = 0.3           # member similarity at which that term is zero (below: a malus)
    rho: float = 0.5                   # expected similarity of two articles of one story (size scaling)
    story_terms: int = 300             # heaviest body terms of a story's centroid used in scoring
    story_entities: int = 100          # heaviest entities of a story's centroid used in scoring

    # -- conflict: two events of one kind differ in who / where / at which site / which organisation.
    # A mixed story is re-checked (the split), so a mild penalty lets a report with mis-typed or
    # extra names ("Parliament the Communist Party" as one ORG) join its event's story, while two
    # events of one kind still part.  A site (street, building, bridge) is compared with sites
    # only: a report naming the street where it happened, and not the country the story's
    # reports name, is not about another place.  An organisation weighs half: reports name
    # outlets, agencies and parties in passing ("told NTV", "the IMF's loan"), so a novel one
    # against a story's absent one is weaker evidence of another event than a person or a place.
    conflict_penalty: float = 0.3      # the penalty of the strongest conflict
    core_share: float = 0.5            # a story's entity is core when in at least this share of its articles
    # the conflict class of an entity type (types not listed never conflict)
    entity_class: dict[str, str] = field(default_factory=_entity_class)
    # how much a conflict in a class counts (organisations are named in passing more often)
    class_weight: dict[str, float] = field(default_factory=_class_weight)

    # -- time
    time_scale_days: float = 30.0      # publication gap (days) at which the time penalty reaches 1 - 1/e of its maximum
    time_penalty_max: float = 0.3      # the time penalty of a very large publication gap
    date_conflict_days: float = 90.0   # own dates further apart than this are two events' dates
    date_conflict_penalty: float = 0.6  # penalty when every own date of the story is that far from the article's

    # -- split: a story is re-checked for two events as it grows, while it is small: mixes start
    # while a story is small; once it has a core (entities in at least half its articles), the
    # conflict penalty keeps a look-alike event's reports out at placement (and a check costs
    # O(members) scores per round).  A headline names its event: two clubs' offers to one
    # player, or a rule and its reversal, share every name and most words in the body, not
    # their headlines; one event's halves mostly share their headlines, and their cross is
    # higher the less they do.  Hence the threshold on the cross score plus the headline cross.
    split_threshold: float = 0.72      # split when the sides' cross score plus headline cross is below this
    split_min_side: int = 4            # distinct texts each side needs
    split_rounds: int = 10             # at most this many rounds of the leave-one-out 2-means
    split_max_members: int = 24        # stories are re-checked while they have at most this many articles
    split_every: int = 2               # re-checked at every this-many-th size
    near_copy: float = 0.995           # body-term cosine from which two articles under one headline are one text

    # -- merge: two open stories an arriving article bridges are one when each side's articles, on
    # average, score at least ``merge_threshold`` against the other (well above the match
    # threshold; the split never divides two sides this close, so a merge is never undone by a
    # split check and a split never redone by a merge).  The story the article joined has 2 to
    # ``merge_max_members`` articles, the other 1 to ``merge_max_members``: a report that came
    # too early to join (a story of one article scores low against it) is taken in once its
    # story has grown.
    merge_threshold: float = 0.45      # merge when each side's articles score at least this against the other
    merge_candidates: int = 5          # the article's best candidate stories checked for a merge
    merge_max_members: int = 24        # stories merge while both have at most this many articles

    # -- closed stories are matched on a light signature
    light_entities: int = 40           # heaviest entities kept
    light_terms: int = 150             # heaviest body terms kept
    light_shingles: int = 400          # quote shingles kept

    @property
    def member_bonus_max(self) -> float:
        """The largest best-member term (a cosine is at most 1), for pruning."""
        return self.w_member * (1.0 - self.member_base) + 1e-9


# Why each field that ``fitted.json`` does not hold is hand-set.  A fit is a grid search in which
# every point costs one engine pass over every data set (services/evaluation/story_cv.py), so
# only the thresholds the measured errors turn on are fitted (the gap is fragmentation: a later
# report starts a story instead of joining one).  tests/unit/aggregator/test_params.py checks
# that every field is fitted or listed here.
_BOUND = ("a cost bound, not a quality knob: large enough that raising it changes no placement "
          "(bench.decisions compare); lowering it trades quality for speed")
_WEIGHT = ("a relative weight of one term of the article-story score: match_threshold (fitted) is chosen "
           "against these, so their common scale is fitted; a logistic regression over teacher-forced "
           "pair features in place of the hand weights did worse in topic CV; a learned second chance "
           "for the placements the hand score rejects is fitted instead (rescue_*; docs/quality-stories.md)")
_TABLE = ("a table over spaCy entity types (what a type says about which event it is); ~50 topics are "
          "too few to fit one value per type")
_SPLIT = ("split check shape, hand-set (history: docs/quality-history-aggregator.md); splits are rare "
          "(the measured errors are fragmentation, not mixing), so the data hold too few to fit it")
_TIME = ("a time term: only dated data exercises it and the one dated set (news_cluster, 69 events over "
         "five years) is too narrow to fit it without tuning to its spread; the hand value is a "
         "week-to-month news cycle (docs/quality-stories.md)")
NOT_FITTED: dict[str, str] = {
    "max_candidates": _BOUND, "candidate_terms": _BOUND, "story_terms": _BOUND, "story_entities": _BOUND,
    "light_entities": _BOUND, "light_terms": _BOUND, "light_shingles": _BOUND, "split_rounds": _BOUND,
    "split_max_members": _BOUND, "split_every": _BOUND, "merge_candidates": _BOUND, "merge_max_members": _BOUND,
    "type_weight": _TABLE, "entity_class": _TABLE, "class_weight": _TABLE,
    "w_entities": _WEIGHT, "w_terms": _WEIGHT, "w_title": _WEIGHT, "w_quote": _WEIGHT, "w_member": _WEIGHT,
    "title_entity_boost": _WEIGHT,
    "member_base": "the member similarity below which the best-member term is a malus; tied to w_member "
                   "(hand-set with it; a weight's scale is fitted through match_threshold)",
    "rho": "the expected similarity of two articles of one story (size scaling of a story's centroid), "
           "a modelling constant, not fitted: the size scaling it sets is what match_threshold is fitted against",
    "shingle_words": "four-word shingles: the shortest that two wordings of one quote share and unrelated "
                     "quotes rarely do (a linguistic choice, not tuned)",
    "merge_threshold": "fitted once on the grid {0.38, 0.45} with match_threshold (docs/quality-stories.md): "
                       "0.45 chosen, and the two differed by at most 0.003 in the objective, so it left the "
                       "grid to make room for conflict_penalty",
    "conflict_penalty": "tried in the fit with match_threshold (grid {0.3, 0.4}; docs/quality-stories.md): "
                        "with 0.4 a lower threshold keeps invented sister floods apart but not a flood two "
                        "years later, and at 0.22 it stops the headline split of two offers to one player "
                        "(tests/unit/aggregator/test_repairs.py); so hand-set "
                        "(history: docs/quality-history-aggregator.md)",
    "core_share": "a story's entity is core when in at least half its articles: a majority, not tuned",
    "split_threshold": _SPLIT, "split_min_side": _SPLIT, "near_copy": _SPLIT,
    "time_scale_days": _TIME, "time_penalty_max": _TIME, "date_conflict_days": _TIME,
    "date_conflict_penalty": _TIME,
}


DEFAULT_PARAMS = ClusterParams()
