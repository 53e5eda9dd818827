"""Synthetic news for the aggregator's bench: stories whose names and words overlap the way news
does, as the extraction agents would hand them to the aggregator (``ArticleQuotes`` /
``ArticleEntities``).

Every name and word is drawn from a heavy-tailed (Zipf) distribution over a shared pool, so a few
places, organisations and words appear in a large share of the stories (a capital, a government,
"police", "year") and most in a handful, as in news:

* a story has a core: one or two people (first name and surname drawn independently, so people
  share surnames and first names), a place, often an organisation, and 6 topic words, all drawn
  from the pools (a core is rarely unique in any one name, but its combination is);
* each of its articles names the core (2-4 mentions, some in the headline), 2-5 incidental names
  drawn from the same pools, the topic words (2-5 times each), 40-55 background words drawn
  from a Zipf vocabulary (once or twice each; the extraction keeps at most 60 content terms), a
  headline of topic words and core names, and in half of the cases one quote (topic and
  background words);
* stories have 1 to 6 articles (heavy-tailed: most have one or two).

The names are pronounceable pseudo-words made from the pool index (no real name, no seed data).
Everything is a pure function of the seed.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from schemas.models import ArticleEntities, ArticleMeta, ArticleQuotes, EntityMention, QuoteMention, Span

_SYL = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dun", "ari", "bo", "cor", "fen", "gal", "hu", "is",
        "jo", "mar", "nel", "or", "pra", "quin", "ros", "tan", "ul", "vor", "wen", "yas", "zel"]

# pool sizes (distinct values) and Zipf exponents
FIRST_NAMES, SURNAMES, PLACES, ORGS, WORDS = 3_000, 40_000, 5_000, 8_000, 40_000
ZIPF_NAMES, ZIPF_WORDS = 1.0, 1.05
T_END = datetime(2031, 6, 10, 12, 0, tzinfo=timezone.utc)   # the open stories' newest event time
WINDOW_H = 60.0                                              # open stories span this many hours (< 3 days)


@functools.lru_cache(maxsize=None)
def word(i: int, salt: int = 0) -> str:
    """A pseudo-word for pool index ``i`` (distinct indices, distinct words)."""
    n, out = i * 7 + salt, []
    while True:
        n, r = divmod(n, len(_SYL))
        out.append(_SYL[r])
        if n == 0 and len(out) >= 2:
            return "".join(out)


class Zipf:
    """Index ``k`` (0-based) of a pool of ``n`` drawn with probability proportional to 1/(k+1)^s."""

    def __init__(self, n: int, s: float) -> None:
        self.cum = list(accumulate(1.0 / (k + 1) ** s for k in range(n)))

    def __call__(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])


@dataclass
class Core:
    people: list[str]
    place: str
    org: str | None
    topic: list[str]
    hours: float          # event time: hours before T_END


class NewsGen:
    def __init__(self) -> None:
        self.z_first, self.z_sur = Zipf(FIRST_NAMES, ZIPF_NAMES), Zipf(SURNAMES, ZIPF_NAMES)
        self.z_place, self.z_org = Zipf(PLACES, ZIPF_NAMES), Zipf(ORGS, ZIPF_NAMES)
        self.z_word = Zipf(WORDS, ZIPF_WORDS)
        self.z_size = Zipf(6, 1.6)

    # -- names and words
    def person(self, rng: random.Random) -> str:
        return f"{word(self.z_first(rng), 1).title()} {word(self.z_sur(rng), 2).title()}"

    def place(self, rng: random.Random) -> str:
        return word(self.z_place(rng), 3).title() + "ia"

    def org(self, rng: random.Random) -> str:
        k = self.z_org(rng)
        return f"{word(k, 4).title()} {('Ministry', 'Council', 'Group', 'Union', 'Party', 'Bank')[k % 6]}"

    def term(self, rng: random.Random) -> str:
        return word(self.z_word(rng), 5)

    # -- stories and articles
    def core(self, seed: int, hours: float) -> Core:
        rng = random.Random(seed)
        people = [self.person(rng) for _ in range(rng.choice((1, 1, 2)))]
        topic: list[str] = []
        while len(topic) < 6:
            t = self.term(rng)
            if t not in topic:
                topic.append(t)
        return Core(people, self.place(rng), self.org(rng) if rng.random() < 0.6 else None, topic, hours)

    def size(self, seed: int) -> int:
        """Articles of a story: 1-6, heavy-tailed."""
        return 1 + self.z_size(random.Random(seed ^ 0x5EED))

    def article(self, core: Core, aid: str, seed: int, published: datetime) -> tuple[ArticleQuotes, ArticleEntities]:
        rng = random.Random(seed)
        ents = [(p, "PERSON", rng.randint(2, 4), rng.random() < 0.6) for p in core.people]
        ents.append((core.place, "GPE", rng.randint(2, 4), rng.random() < 0.4))
        if core.org:
            ents.append((core.org, "ORG", rng.randint(1, 3), rng.random() < 0.2))
        for _ in range(rng.randint(2, 5)):
            kind = rng.random()
            name, ty = ((self.person(rng), "PERSON") if kind < 0.35 else (self.place(rng), "GPE") if kind < 0.7
                        else (self.org(rng), "ORG"))
            ents.append((name, ty, 1, False))
        mentions = [EntityMention(name=n, type=ty, in_title=tt,
                                  mentions=[Span(text=n, start=i * 40, end=i * 40 + len(n)) for i in range(m)])
                    for n, ty, m, tt in ents]
        terms = {t: rng.randint(2, 5) for t in core.topic}
        for _ in range(rng.randint(40, 55)):
            t = self.term(rng)
            if t not in terms:
                terms[t] = rng.choice((1, 1, 2))
        title_names = [n for n, _, _, tt in ents if tt]
        title = " ".join(rng.sample(core.topic, 3) + title_names + rng.sample(core.topic, 1))
        chash = hashlib.sha256(f"{aid}|{seed}".encode()).hexdigest()
        meta = ArticleMeta(article_id=aid, title=title, outlet=f"outlet{rng.randint(0, 40)}",
                           url=f"https://example.org/{aid}", published=published, content_hash=chash,
                           produced_at=published)
        quotes = []
        if rng.random() < 0.5:
            text = " ".join(rng.sample(core.topic, 3) + [self.term(rng) for _ in range(12)])
            quotes.append(QuoteMention(text=text, start=0, end=len(text), kind="full", speaker=core.people[0],
                                       speaker_type="named", cue="said"))
        lead = f"{core.people[0]} in {core.place}: " + " ".join(core.topic) + "."
        return (ArticleQuotes(article=meta, quotes=quotes),
                ArticleEntities(article=meta, entities=mentions, lead=lead, terms=terms,
                                dates=[published.date().isoformat()], tokens=600))

    def story_core(self, i: int) -> Core:
        """The core of open story ``i`` (its event time within the last ``WINDOW_H`` hours)."""
        return self.core(1_000_003 * i + 17, random.Random(i).uniform(0.0, WINDOW_H))

    def story_articles(self, i: int) -> tuple[Core, list[tuple[ArticleQuotes, ArticleEntities]]]:
        """Open story ``i``: its core and its articles."""
        core = self.story_core(i)
        n = self.size(i)
        arts = []
        for j in range(n):
            published = T_END - timedelta(hours=core.hours + (n - 1 - j) * 0.5)
            arts.append(self.article(core, f"s{i:06d}-{j}", 7_919 * i + j, published))
        return core, arts
