"""Shared builders of small invented articles for the aggregator tests (no tests here)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention, Span

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
