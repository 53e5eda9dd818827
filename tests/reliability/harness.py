"""Shared machinery of the reliability suite: knobs, corpus, workers as real
processes, topic readers and the invariant checks.

Everything here is test-side: the services are only driven through Kafka, the
``storystream`` CLI and their process signals.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import random
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

from devtools.broker.launcher import free_port
from devtools.stack import settings_for
from devtools.supervisor import Supervisor
from schemas.models import Article, ArticleEntities, ArticleQuotes, StoryState
from services.common.codec import article_key, encode
from services.common.kafka import cluster_partitions, ensure_topics, make_consumer, make_producer, wait_for_broker
from services.common.settings import Settings
from services.common.story_state import is_newer, members_of, membership  # noqa: F401  (membership: for the tests)
from services.common.story_state import latest_states as _latest_states

ROOT = Path(__file__).resolve().parents[2]
ECB_DEV = ROOT.parent / "shared" / "eval" / "ecbplus_dev.jsonl"
WORKERS = ["annotator", "quotes", "entities", "aggregator"]


# ------------------------------------------------------------------ knobs
def env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    return int(v) if v else default


def env_float(name: str, default: float) -> float:
    v = os.environ.get(name)
    return float(v) if v else default


def seed() -> int:
    """RELIABILITY_SEED replays a run; otherwise a fresh seed (always printed)."""
    v = os.environ.get("RELIABILITY_SEED")
    return int(v) if v else random.SystemRandom().randrange(1, 2**31)


def log(msg: str) -> None:
    print(f"[reliability {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ environment / workers
def make_env(bootstrap: str, tmp: Path, **extra) -> dict:
    tag = uuid.uuid4().hex[:8]
    env = dict(os.environ)
    env.update({
        "KAFKA_BOOTSTRAP": bootstrap,
        "STORYSTREAM_TOPIC_PREFIX": f"rel{tag}-",
        "STORYSTREAM_APP_PREFIX": f"rel{tag}",
        "STORYSTREAM_DATA_DIR": str(tmp),
        "STORYSTREAM_WEB_PORT": str(free_port()),
        "STORYSTREAM_PARTITIONS": "4",
        "STORYSTREAM_LOG_LEVEL": "info",
        "PYTHONPATH": str(ROOT),
    })
    # faust reads its consumer-group timeouts from the environment when the app does
    # not set them (services/common/app.py does not): a SIGKILLed member otherwise
    # blocks its group's rebalance for the default 60 s session timeout.
    session = os.environ.get("RELIABILITY_SESSION_TIMEOUT", "10")
    if session not in ("", "0", "default"):
        env.setdefault("BROKER_SESSION_TIMEOUT", session)
        env.setdefault("BROKER_REBALANCE_TIMEOUT", session)
        env.setdefault("BROKER_HEARTBEAT_INTERVAL", str(max(0.5, float(session) / 6)))
    env.update({k: str(v) for k, v in extra.items()})
    return env


async def prepare_topics(settings: Settings) -> None:
    await wait_for_broker(settings)
    await ensure_topics(settings)


@dataclass
class Workers:
    """The four workers as Supervisor children, with fault-injection helpers."""

    env: dict
    log_path: Path
    supervisor: Supervisor | None = None
    kills: dict = field(default_factory=lambda: {w: 0 for w in WORKERS})
    unexpected: list = field(default_factory=list)   # (name, returncode) of children that died on their own
    held: set = field(default_factory=set)           # killed by the test, restart pending
    _log_file: object = None
    code_dir: Path | None = None

    def start(self) -> "Workers":
        self._log_file = open(self.log_path, "ab")
        # every worker process of the run (restarts included) runs ONE snapshot of the code:
        # `python -m services.cli` imports from its working directory first
        self.code_dir = snapshot_code(self.log_path.parent / "code")
        self.supervisor = Supervisor(WORKERS, env=self.env, log_file=self._log_file)
        with _cwd(self.code_dir):
            self.supervisor.start()
        return self

    def child(self, name: str):
        return next(c for c in self.supervisor.children if c.name == name)

    def kill(self, name: str) -> None:
        c = self.child(name)
        self.held.add(name)
        if c.alive():
            c.proc.send_signal(signal.SIGKILL)
            c.proc.wait(10)
        self.kills[name] += 1

    def restart(self, name: str) -> None:
        c = self.child(name)
        if not c.alive():
            with _cwd(self.code_dir):
                c.start(self._log_file)
        self.held.discard(name)

    def terminate(self, name: str, timeout: float = 60.0) -> tuple[int | None, float]:
        """SIGTERM one child; (exit code or None if it did not exit, seconds taken)."""
        c = self.child(name)
        t0 = time.monotonic()
        c.proc.send_signal(signal.SIGTERM)
        try:
            rc = c.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def poll(self) -> None:
        """Record and restart children that died without being killed by the test."""
        for c in self.supervisor.children:
            if c.name in self.held:
                continue
            if not c.alive() and c.proc is not None and c.proc.returncode is not None:
                self.unexpected.append((c.name, c.proc.returncode))
                log(f"worker {c.name} died on its own (exit {c.proc.returncode}); restarting")
                with _cwd(self.code_dir):
                    c.start(self._log_file)

    def all_alive(self) -> bool:
        return all(c.alive() for c in self.supervisor.children)

    def stop(self) -> dict:
        codes = {}
        if self.supervisor is not None:
            self.supervisor.stop(timeout=45)
            codes = {c.name: c.proc.returncode for c in self.supervisor.children}
        if self._log_file:
            self._log_file.close()
        return codes

    def logs(self, tail: int = 6000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-tail:]


@contextlib.contextmanager
def _cwd(path):
    old = os.getcwd()
    os.chdir(path or old)
    try:
        yield
    finally:
        os.chdir(old)


def snapshot_code(dest: Path) -> Path:
    """Copy services/ and schemas/ (the repository is edited while tests run) and import the
    pure logic the checks replay in-process at the same moment."""
    for d in ("services", "schemas"):
        shutil.copytree(ROOT / d, dest / d, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    import services.aggregator.engine  # noqa: F401  (pin the in-process replay to this moment's code)
    import services.aggregator.state  # noqa: F401
    import services.pipeline  # noqa: F401
    import services.quotes.extract  # noqa: F401
    import services.entities.extract  # noqa: F401
    import services.entities.features  # noqa: F401
    return dest


# ------------------------------------------------------------------ corpus
def ecb_records() -> list[dict]:
    return [json.loads(line) for line in ECB_DEV.read_text().splitlines() if line.strip()]


def build_corpus(n: int, rng: random.Random, prefix: str = "rel") -> list[Article]:
    """``n`` articles: the ECB+ dev set repeated with fresh ids, shuffled with ``rng``."""
    from services.producer.records import record_to_article
    base = ecb_records()
    out = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        rec["id"] = f"{prefix}-{i:05d}-{rec['id']}"
        out.append(record_to_article({k: rec[k] for k in ("id", "title", "body")}, f"ecbplus_dev.jsonl:{i % len(base) + 1}"))
    rng.shuffle(out)
    return out


def article_bytes(a: Article) -> tuple[bytes, bytes]:
    a = a.model_copy(update={"produced_at": datetime.now(timezone.utc)})
    return article_key(a.article_id), encode(a)


# ------------------------------------------------------------------ kafka reading
async def committed_offsets(settings: Settings, group: str, topics: list[str]) -> dict[str, int]:
    """``"topic[partition]" -> committed offset`` of a consumer group (diagnostics)."""
    from aiokafka import TopicPartition

    consumer = make_consumer(settings, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        out = {}
        for topic in topics:
            for p in sorted(await cluster_partitions(consumer, settings.topic(topic))):
                off = await consumer.committed(TopicPartition(settings.topic(topic), p))
                out[f"{topic}[{p}]"] = off
        return out
    finally:
        await consumer.stop()


def result_positions(records_by_topic: dict[str, list], article_ids) -> dict[str, list[str]]:
    """Where each article's result records sit: ``id -> ["topic[partition]@offset", ...]``."""
    want = set(article_ids)
    out: dict[str, list[str]] = {a: [] for a in want}
    for topic, records in records_by_topic.items():
        for r in records:
            try:
                aid = json.loads(r.key)["article_id"]
            except (ValueError, KeyError, TypeError):
                continue
            if aid in want:
                out[aid].append(f"{topic}[{r.partition}]@{r.offset}")
    return out


async def read_all(settings: Settings, topic: str, timeout: float = 120.0) -> list:
    """Every record of ``topic`` up to its current end offsets."""
    consumer = make_consumer(settings, settings.topic(topic), group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False, max_partition_fetch_bytes=32 * 1024 * 1024,
                             fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    try:
        parts = consumer.assignment()
        deadline = time.monotonic() + timeout
        while not parts and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            parts = consumer.assignment()
        end = await consumer.end_offsets(list(parts))
        records = []
        while time.monotonic() < deadline:
            done = True
            for tp in parts:
                if await consumer.position(tp) < end[tp]:
                    done = False
                    break
            if done:
                return records
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            for recs in batch.values():
                records.extend(recs)
        raise AssertionError(f"timed out reading {topic}: {len(records)} records")
    finally:
        await consumer.stop()


class StateMonitor:
    """Background consumer of story-state: latest state per story, coverage, order."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.latest: dict[str, dict] = {}
        self.order: list[str] = []          # articles_added, in publication order
        self.added: set[str] = set()
        self.messages = 0
        self.last_message = time.monotonic()
        self._task: asyncio.Task | None = None
        self.errors: list[str] = []

    async def start(self) -> "StateMonitor":
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        consumer = make_consumer(self.settings, self.settings.topic("story-state"), group_id=None,
                                 auto_offset_reset="earliest", enable_auto_commit=False,
                                 max_partition_fetch_bytes=32 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
        while True:
            try:
                await consumer.start()
                break
            except Exception as exc:  # the broker may be down for a moment
                self.errors.append(repr(exc))
                await asyncio.sleep(1)
        try:
            while True:
                try:
                    batch = await consumer.getmany(timeout_ms=300, max_records=1000)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.errors.append(repr(exc))
                    await asyncio.sleep(0.5)
                    continue
                for recs in batch.values():
                    for r in recs:
                        self.feed(json.loads(r.value))
        finally:
            await consumer.stop()

    def feed(self, state: dict) -> None:
        self.messages += 1
        self.last_message = time.monotonic()
        sid = state["story_id"]
        if is_newer(state, self.latest.get(sid)):
            self.latest[sid] = state
        self.order.extend(state["delta"]["articles_added"])
        self.added.update(state["delta"]["articles_added"])

    def covered(self) -> set[str]:
        return {aid for s in self.latest.values() for aid in members_of(s)}

    def ever_added(self) -> set[str]:
        return set(self.order)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass


def latest_states(records) -> dict[str, dict]:
    """story id -> latest state, from story-state consumer records."""
    return _latest_states(r.value for r in records)


def last_by_article(records, model):
    """Last message per article id of an extraction topic, parsed with ``model``."""
    out = {}
    for rec in records:
        m = model.model_validate_json(rec.value)
        out[m.article.article_id] = m
    return out


# ------------------------------------------------------------------ invariants
def rebuild_state(state: dict, results: dict, max_items: int = 50, order: list[str] | None = None) -> StoryState:
    """Recompute a story from its member articles' extraction results, exactly as the
    engine adds contributions (services/aggregator/members.py ``article_record``/``add_member``,
    state.py ``render``), the members taken in the order the state says they were first
    seen (which is the order their quote variants were sequenced in)."""
    from services.aggregator.members import add_member, article_record, blank_story
    from services.aggregator.signature import article_signature
    from services.aggregator.state import central_article, render

    listed = {a["article_id"]: a for a in state["articles"]}
    ids = members_of(state)
    if all(aid in listed for aid in ids):
        members = sorted(listed.values(), key=lambda a: a["first_seen"])
    else:  # capped list: order every member by the order story-state announced them
        pos: dict[str, int] = {}
        for i, aid in enumerate(order or []):
            # the LAST announcement: an article is announced twice only when the aggregator
            # died after publishing it and before persisting it, so the surviving state
            # holds it at its re-processing (a persisted article is never re-announced)
            pos[aid] = i
        ids.sort(key=lambda aid: pos.get(aid, len(pos)))
        # strictly increasing first-seen times in that order: quote grouping orders variants by
        # (first seen, sequence), so one shared time for the unlisted members next to the real
        # times of the listed ones would rebuild a different grouping than the engine made
        base = datetime.fromisoformat(state["created_at"])
        members = [{"article_id": aid, "first_seen": (base + timedelta(microseconds=i)).isoformat()}
                   for i, aid in enumerate(ids)]
    created = datetime.fromisoformat(state["created_at"])
    story = blank_story(state["story_id"], "open", created, created)
    for a in members:
        q, e = results[a["article_id"]]
        event = e.article.published or e.article.produced_at or datetime.fromisoformat(a["first_seen"])
        add_member(story, article_record(a["article_id"], e.article.content_hash, state["story_id"], a["first_seen"],
                                         event, q, e, article_signature(e), story))
    story.central = central_article(story)
    story.version = state["version"]
    return render(story, max_items, {})


def count_view(s: StoryState | dict) -> dict:
    """Every count a story state carries, in comparable form."""
    d = s.model_dump(mode="json") if isinstance(s, StoryState) else s
    return {
        "totals": d["totals"],
        "entities": sorted((e["name"], e["type"], e["mentions"], e["articles"], e["in_headlines"]) for e in d["entities"]),
        "speakers": sorted((p["name"], p["quotes"], p["articles"]) for p in d["speakers"]),
        "quotes": sorted((q["quote_id"], tuple(sorted(set(q["article_ids"]))), len(q["variants"])) for q in d["quotes"]),
    }


def count_mismatches(latest: dict[str, dict], results: dict, order: list[str] | None = None) -> list[str]:
    """Stories whose counts differ from what their articles' results add up to."""
    bad = []
    for sid, s in sorted(latest.items()):
        if s["totals"]["articles"] != len(members_of(s)):
            bad.append(f"{sid}: totals.articles={s['totals']['articles']} but the state lists "
                       f"{len(members_of(s))} member id(s)")
            continue
        if not members_of(s):
            if any(s["totals"][k] for k in ("quotes", "entities", "speakers")):
                bad.append(f"{sid}: empty story with non-zero totals {s['totals']}")
            continue
        missing = [aid for aid in members_of(s) if aid not in results]
        if missing:
            bad.append(f"{sid}: no extraction result for {missing[:3]}")
            continue
        want, got = count_view(rebuild_state(s, results, order=order)), count_view(s)
        if want != got:
            diff = {k: (got[k], want[k]) for k in want if want[k] != got[k]}
            short = {k: (str(v[0])[:300], str(v[1])[:300]) for k, v in diff.items()}
            bad.append(f"{sid}: counts differ from its articles' results (got, expected): {short}")
    return bad


def extraction_view(q: ArticleQuotes, e: ArticleEntities) -> tuple:
    """The content of an article's extraction results (without the per-copy metadata)."""
    return (json.dumps([x.model_dump(mode="json") for x in q.quotes], sort_keys=True),
            json.dumps([x.model_dump(mode="json") for x in e.entities], sort_keys=True),
            e.lead, json.dumps(e.terms, sort_keys=True), tuple(e.dates), e.tokens)


def pairs(partition: dict[str, set[str]]) -> set[tuple[str, str]]:
    out = set()
    for members in partition.values():
        out.update(combinations(sorted(members), 2))
    return out


def pairwise_f1(got: dict[str, set[str]], ref: dict[str, set[str]]) -> tuple[float, float, float]:
    g, r = pairs(got), pairs(ref)
    if not g and not r:
        return 1.0, 1.0, 1.0
    p = len(g & r) / len(g) if g else 0.0
    rc = len(g & r) / len(r) if r else 0.0
    return p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0)


def engine_partition(order: list[str], results: dict) -> dict[str, set[str]]:
    """The in-process StoryEngine fed ``order`` (article ids) with the given results."""
    from services.aggregator.engine import StoryEngine
    eng = StoryEngine()
    now = datetime.now(timezone.utc)
    for aid in order:
        q, e = results[aid]
        eng.process(q, e, now)
    part: dict[str, set[str]] = {}
    for aid, sid in eng.assignments().items():
        part.setdefault(sid, set()).add(aid)
    return part


def state_partition(latest: dict[str, dict]) -> dict[str, set[str]]:
    return {sid: set(members_of(s)) for sid, s in latest.items() if members_of(s)}


# ------------------------------------------------------------------ code drift
def code_fingerprint() -> dict[str, float]:
    """mtime of every services/ and schemas/ source file: worker processes started (or
    restarted) at different times run whatever code is on disk at that moment."""
    return {str(p.relative_to(ROOT)): p.stat().st_mtime
            for d in ("services", "schemas") for p in (ROOT / d).rglob("*.py")}


def drift(before: dict[str, float]) -> list[str]:
    after = code_fingerprint()
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
