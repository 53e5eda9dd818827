"""Shared builders of small invented articles, and engine runs, for the aggregator tests (no tests here)."""
from __future__ import annotations

import copy
import hashlib
from datetime import datetime, timedelta, timezone

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention, Span
from services.aggregator import entities as en
from services.aggregator.engine import StoryEngine
from services.aggregator.params import ClusterParams
from services.aggregator.signature import StorySignature

T0 = datetime(2031, 3, 1, 12, 0, tzinfo=timezone.utc)


def ent(name: str, type_: str = "PERSON", n: int = 1, in_title: bool = False, alias: str | None = None) -> EntityMention:
    return EntityMention(name=name, type=type_, in_title=in_title,
                         mentions=[Span(text=alias or name, start=i * 10, end=i * 10 + len(name)) for i in range(n)])


def quote(text: str, speaker: str | None = None, kind: str = "full", role: str | None = None) -> QuoteMention:
    return QuoteMention(text=text, start=0, end=len(text), kind=kind, speaker=speaker, speaker_role=role)


def article(aid: str, title: str, ents: list[EntityMention], terms: dict[str, int], quotes=(), *,
            hours: float = 0.0, dates=(), own_date: str | None = None, lead: str | None = None,
            outlet: str = "Daily Example", revision: str = "") -> tuple[ArticleQuotes, ArticleEntities]:
    meta = ArticleMeta(article_id=aid, title=title, outlet=outlet, url=f"https://example.org/{aid}",
                       published=T0 + timedelta(hours=hours),
                       content_hash=hashlib.sha256(f"{aid}|{title}|{sorted(terms.items())}|{revision}".encode()).hexdigest(),
                       produced_at=T0 + timedelta(hours=hours))
    return (ArticleQuotes(article=meta, quotes=list(quotes)),
            ArticleEntities(article=meta, entities=ents, lead=lead or title + ".", terms=terms, dates=list(dates),
                            own_date=own_date, tokens=100))


# two events of the same kind with different people and places
FLOOD_TERMS = {"flood": 4, "river": 3, "rain": 2, "evacuate": 2, "village": 2, "water": 2, "rescue": 1}
QUAKE_TERMS = {"earthquake": 4, "magnitude": 3, "collapse": 2, "building": 2, "rescue": 2, "aftershock": 1}


def flood(aid: str, hours: float = 0.0, extra_quotes=(), **kw):
    return article(aid, "River Vell floods Norwick as Mayor Ada Brennor orders evacuation",
                   [ent("Ada Brennor", n=3, in_title=True), ent("Norwick", "GPE", n=4, in_title=True),
                    ent("River Vell", "LOC", n=2, in_title=True), ent("Brennor", n=1)],
                   FLOOD_TERMS, extra_quotes, hours=hours, **kw)


def quake(aid: str, hours: float = 0.0, extra_quotes=(), **kw):
    return article(aid, "Magnitude 6 earthquake strikes Port Calder, Governor Ilse Varga says",
                   [ent("Ilse Varga", n=2, in_title=True), ent("Port Calder", "GPE", n=4, in_title=True),
                    ent("Calder Civil Defence", "ORG", n=2)],
                   QUAKE_TERMS, extra_quotes, hours=hours, **kw)


# two events of one kind at one team (a coach fired, then a new coach hired): the second
# event's reports name the first event's coach too, so an early one joins the first story
def coach_fired(aid: str, i: int = 0, **kw):
    return article(aid, ["Comets fire coach Lena Marsh after losing streak", "Lena Marsh out as Comets coach",
                         "Harbor City Comets dismiss Lena Marsh"][i % 3],
                   [ent("Lena Marsh", n=3, in_title=True), ent("Comets", "ORG", n=3, in_title=True),
                    ent("Harbor City", "GPE", n=2), ent("Dale Ortz", n=1 + i % 2)],
                   {"coach": 3, "fire": 3, "loss": 2, "streak": 2, "season": 2, "dismiss": 1, "game": 1 + i % 2},
                   **kw)


def coach_hired(aid: str, i: int = 0, **kw):
    return article(aid, ["Comets hire Tomas Reyd as coach", "Tomas Reyd named Comets coach",
                         "Harbor City Comets appoint Tomas Reyd"][i % 3],
                   [ent("Tomas Reyd", n=3, in_title=True), ent("Comets", "ORG", n=3, in_title=True),
                    ent("Harbor City", "GPE", n=2), ent("Lena Marsh", n=1), ent("Mira Kolb", n=1 + i % 2)],
                   {"coach": 3, "hire": 3, "contract": 2, "season": 2, "appoint": 2, "year": 1, "game": 1 + i % 2},
                   **kw)


# ---------------------------------------------------------------- engine runs
P = ClusterParams()
Q1 = quote("We will move every family out of the valley before the river crests tonight.", "Ada Brennor",
           role="mayor")
Q1_PART = quote("move every family out of the valley", "Brennor", "partial")
Q2 = quote("The old bridge will not survive another night of rain like this one.", "Ada Brennor")


def invented_topics(topics: int) -> list:
    """``topics`` invented topics of two reports each, as the evaluation's ``Item`` records
    (no dates): each topic its own person, town and word, every report the word "common"."""
    from services.evaluation.story_inputs import Item
    out = []
    for t in range(topics):
        for i in range(2):
            q, e = article(f"t{t}r{i}", f"Event {t} in Town{t} report {i}", [ent(f"Person{t} Name{t}", n=2)],
                           {f"word{t}": 3, "common": 1, f"other{i}": 1})
            out.append(Item(quotes=q, entities=e, story=str(t), published=None))
    return out


def run(arts, engine=None):
    engine = engine or StoryEngine()
    return engine, [engine.process(q, e, T0) for q, e in arts]


def recompute(engine, story_id):
    """Entity aggregate and signature (JSON) of a story from its member article records only."""
    ents, sig = {}, StorySignature()
    for aid, rec in engine.articles.items():
        if rec.story_id == story_id:
            en.add_entities(ents, rec.entities, aid, +1)
            sig.add(rec.signature, +1)
    return ents, sig.to_json()


def close_enough(a, b):
    """Equal, floats to 1e-4 (sums of rounded weights)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close_enough(a[k], b[k]) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) < 1e-4
    return a == b


def mixed_coaches():
    """Fired, hired, fired, ...: the first 'hired' report joins the 'fired' story (one article
    is too little evidence to see the conflict)."""
    return [f(f"{'a' if f is coach_fired else 'b'}{i + 1}", i, hours=2 * i + (f is coach_hired))
            for i in range(P.split_min_side + 1) for f in (coach_fired, coach_hired)]


def forced(arts, force):
    """Feed ``arts`` to a new engine; the placement of each article named in ``force`` is forced
    (aid -> function of the updates so far giving the story id, or None for a new story)."""
    from services.aggregator import engine as engine_module
    eng, ups = StoryEngine(), []
    for q, e in arts:
        place, rescue = eng.scorer.best, engine_module.rescue
        pick = force.get(e.article.article_id)
        if pick is not None:
            sid = pick(ups)
            eng.scorer.best = (lambda sig, allowed=None, views=None, at_least=None, bounds=None, sid=sid:
                               (sid, 1.0) if sid else (None, -1.0))
            engine_module.rescue = lambda scorer, sig, views=None, bounds=None: None       # (forced: no learned rescue either)
        try:
            ups.append(eng.process(q, e, T0))
        finally:
            eng.scorer.best, engine_module.rescue = place, rescue
    return eng, ups


def fragmented(sister=False):
    """Reports of one event whose second report (b1) started a story of its own (forced here;
    in the wild: two angles that share little until more reports arrive), then more reports.
    ``sister``: b1 and b2 report the sister event (a coach hired) instead."""
    second = coach_hired if sister else coach_fired
    arts = [coach_fired("a1", 0, hours=0), coach_fired("a2", 2, hours=1),
            second("b1", 1, hours=2), second("b2", 1, hours=3), coach_fired("a3", 0, hours=4)]
    eng, ups = forced(arts, {"b1": lambda ups: None,                  # (forced: a new story)
                              "b2": lambda ups: ups[2].story_id})      # (forced: into b1's)
    return eng, ups, arts


def split_run():
    """The mixed coach reports up to the update that splits their story; the tables as they
    were before that update, and the update itself."""
    arts = [f(f"{'a' if f is coach_fired else 'b'}{i + 1}", i, hours=2 * i + (f is coach_hired))
            for i in range(4) for f in (coach_fired, coach_hired)]
    eng = StoryEngine()
    stories, articles = {}, {}
    for q, e in arts[:-1]:
        upd = eng.process(q, e, T0)
        stories[upd.story_id] = copy.deepcopy(upd.story_record)
        articles[e.article.article_id] = copy.deepcopy(upd.article_record)
    split = eng.process(*arts[-1], T0)
    assert split.split_into
    return arts, stories, articles, split


def tables_of(engine, closed=()):
    """The table records of an engine's open stories (and of the in-memory closed ``closed``)
    and of their articles, as the engine writes them (JSON round trip): (stories, articles)."""
    import json
    stories = [*engine.stories.values(), *closed]
    heads = [s.to_json() for s in stories]
    arts = [engine.articles[a].to_json(order=s.articles[a].order) for s in stories for a in s.articles
            if a in engine.articles]
    return json.loads(json.dumps(heads)), json.loads(json.dumps(arts))
