"""Invented story states for the board's tests (valid StoryState values)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from schemas.models import StoryState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def make_state(story_id: str, version: int = 1, *, articles: int = 2, minutes: int = 0, headline: str | None = None,
               outlets: tuple[str, ...] = ("North Ledger", "South Courier"), speaker: str = "Mara Quell",
               entity: str = "Harbour Authority", alias: str = "the Authority", url: str | None = None,
               title: str | None = None, quote: str | None = None, delta: dict | None = None,
               merged_into: str | None = None) -> dict:
    when = T0 + timedelta(minutes=minutes)
    arts = [{"article_id": f"{story_id}-a{i}", "title": title or f"{story_id} report {i}",
             "outlet": outlets[i % len(outlets)], "url": url if url is not None else f"https://news.test/{story_id}/{i}",
             "published": (when - timedelta(minutes=articles - i)).isoformat(), "first_seen": when.isoformat()}
            for i in range(articles)]
    text = quote or "We will reopen the harbour next week"
    quotes = [{"quote_id": f"{story_id}-q1", "text": text, "speaker": speaker, "kind": "full",
               "article_ids": [a["article_id"] for a in arts[:2]],
               "variants": [{"article_id": arts[0]["article_id"], "text": text, "kind": "full"},
                            {"article_id": arts[-1]["article_id"], "text": text.replace("next week", "on Monday"),
                             "kind": "full"}],
               "articles_total": min(2, articles), "variants_total": 7,   # as capped by the engine
               "first_seen": when.isoformat()}] if articles else []
    state = {
        "story_id": story_id, "version": version, "status": "open", "merged_into": merged_into,
        "created_at": T0.isoformat(), "updated_at": when.isoformat(),
        "headline": headline or f"Headline of {story_id}", "summary": "",
        "articles": arts, "article_ids": [a["article_id"] for a in arts],
        "outlets": sorted({a["outlet"] for a in arts}),
        "entities": [{"name": entity, "type": "ORG", "aliases": [alias], "mentions": 3, "articles": articles}],
        "speakers": [{"name": speaker, "roles": ["spokeswoman"], "quotes": 1, "articles": articles}] if articles else [],
        "quotes": quotes,
        "totals": {"articles": articles, "quotes": len(quotes), "entities": 1, "speakers": 1 if articles else 0},
        "delta": delta or {"articles_added": [a["article_id"] for a in arts]},
    }
    return StoryState.model_validate(state).model_dump(mode="json")
