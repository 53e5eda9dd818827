"""The whole backbone on the real broker: seeds in, story state out."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from schemas.models import StoryState
from tests.integration.conftest import covered_articles, latest_states, read_until, send_raw

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SCHEMA = json.loads((ROOT / "schemas" / "json" / "story-state.value.schema.json").read_text())
SEED_IDS = {p.name for p in SEEDS}

pytestmark = pytest.mark.integration


def _norm(s: str) -> str:
    return " ".join(s.replace("’", "'").split()).lower()


@pytest.fixture(scope="module")
def seeded(pipeline):
    """Produce the seeds through the CLI and wait until every article is in a story."""
    proc = pipeline.cli("produce", str(ROOT / "seeds"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"published 5 article(s), 0 error(s)" in proc.stderr
    try:
        records = asyncio.run(read_until(pipeline.settings, "story-state",
                                         lambda rs: SEED_IDS <= covered_articles(rs), timeout=150))
    except AssertionError:
        print(pipeline.logs()[-6000:])
        raise
    return records


def test_every_message_validates_against_exported_schema(seeded):
    assert seeded
    for rec in seeded:
        value = json.loads(rec.value)
        jsonschema.validate(value, SCHEMA)
        StoryState.model_validate(value)
        key = json.loads(rec.key)
        assert key == {"story_id": value["story_id"]}, "story-state is keyed by story id"


def test_seeds_form_one_story_with_versions_in_order(seeded):
    latest = latest_states(seeded)
    holders = [s for s in latest.values() if SEED_IDS & {a["article_id"] for a in s["articles"]}]
    assert len(holders) == 1, f"seeds split over {len(holders)} stories: {[s['headline'] for s in holders]}"
    story = holders[0]
    assert {a["article_id"] for a in story["articles"]} == SEED_IDS
    versions = [json.loads(r.value)["version"] for r in seeded if json.loads(r.value)["story_id"] == story["story_id"]]
    assert versions == list(range(1, len(versions) + 1)), "version is +1 per change, in order on one partition"
    assert story["totals"]["articles"] == 5
    assert all(s["delta"]["articles_added"] for s in (json.loads(r.value) for r in seeded))


def test_huge_mistake_statement_is_one_quote_with_three_wordings(seeded):
    story = next(iter(s for s in latest_states(seeded).values() if len(s["articles"]) == 5))
    full = [q for q in story["quotes"] if "would be a huge mistake" in _norm(q["text"])
            or any("idea that they would be supplying ammunition" in _norm(v["text"]) for v in q["variants"])]
    assert len(full) == 1, [q["text"] for q in full]
    q = full[0]
    assert q["speaker"] == "Kamala Harris"
    assert len(set(q["article_ids"])) >= 3
    wordings = {_norm(v["text"]) for v in q["variants"]}
    assert len(wordings) >= 3, wordings


def test_speakers_and_canonical_entities(seeded):
    story = next(iter(s for s in latest_states(seeded).values() if len(s["articles"]) == 5))
    speakers = {s["name"] for s in story["speakers"]}
    assert {"Kamala Harris", "Adrienne Watson", "John Kirby"} <= speakers, speakers
    names = {e["name"]: e for e in story["entities"]}
    assert "Kim Jong Un" in names or "Kim Jong-Un" in names, sorted(names)
    kim = names.get("Kim Jong Un") or names.get("Kim Jong-Un")
    assert kim["type"] == "PERSON"
    assert kim["articles"] >= 4
    aliases = set(kim["aliases"])
    assert {"Kim"} <= aliases and ({"Kim Jong Un", "Kim Jong-Un"} & aliases)
    assert not [n for n in names if n.endswith("’s") or n.endswith("'s")], "no possessives in canonical names"


def test_redelivered_article_changes_nothing(pipeline, seeded):
    before = latest_states(seeded)
    # the same article again (same id, same content) and then a sentinel article in a new story
    proc = pipeline.cli("produce", str(SEEDS[0]))
    assert proc.returncode == 0, proc.stderr.decode()
    sentinel = {"id": "sentinel-1", "title": "Volcano erupts on remote island, residents evacuated",
                "body": "A volcano erupted on the remote island of Tervola on Tuesday, forcing 2,000 residents "
                        "to flee. \"The ash cloud is moving east,\" said geologist Maria Lindqvist of the "
                        "Nordic Volcanological Institute. Flights were grounded across the region.",
                "outlet": "Test Wire"}
    proc = pipeline.cli("produce", "-", stdin=(json.dumps(sentinel) + "\n").encode())
    assert proc.returncode == 0, proc.stderr.decode()
    records = asyncio.run(read_until(pipeline.settings, "story-state",
                                     lambda rs: "sentinel-1" in covered_articles(rs), timeout=90))
    after = latest_states(records)
    for story_id, state in before.items():
        assert after[story_id]["version"] == state["version"], "re-delivery must not bump the version"
        assert after[story_id]["totals"] == state["totals"]
    assert "duplicate_ignored" in pipeline.logs()


def test_bad_messages_go_to_dead_letters_and_pipeline_continues(pipeline, seeded):
    asyncio.run(send_raw(pipeline.settings, "articles", [
        (b'{"article_id": "junk-1"}', b"\xff\xfe not json"),
        (b'{"article_id": "junk-2"}', b'{"schema_version": 1, "article_id": "junk-2", "title": 5}'),
    ]))
    records = asyncio.run(read_until(pipeline.settings, "dead-letters",
                                     lambda rs: len([r for r in rs if b"junk-" in (r.key or b"")]) >= 2, timeout=60))
    letters = [json.loads(r.value) for r in records if b"junk-" in (r.key or b"")]
    reasons = " | ".join(letter["reason"] for letter in letters)
    assert "UTF-8" in reasons and "title" in reasons, reasons
    for letter in letters:
        assert letter["source_topic"] == pipeline.settings.topic("articles")
        assert letter["partition"] is not None and letter["offset"] is not None
        assert letter["original_value"], "original bytes are kept"
    # the pipeline is still alive: a new valid article is processed
    art = {"id": "after-junk", "title": "Harbour bridge reopens after repairs",
           "body": "The harbour bridge reopened on Monday after six months of repairs, the city council said.",
           "outlet": "Test Wire"}
    proc = pipeline.cli("produce", "-", stdin=(json.dumps(art) + "\n").encode())
    assert proc.returncode == 0
    asyncio.run(read_until(pipeline.settings, "story-state", lambda rs: "after-junk" in covered_articles(rs),
                           timeout=90))


def test_tail_prints_states_as_json_lines(pipeline, seeded):
    proc = pipeline.cli("tail", "--json", "--from-beginning", "--max", "3", timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        assert json.loads(line)["schema_version"] == 1
    proc = pipeline.cli("tail", "--from-beginning", "--max", "1", timeout=60)
    assert proc.returncode == 0
    assert "== story" in proc.stdout.decode() and "headline:" in proc.stdout.decode()


def _get(port: int, path: str):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def test_http_views_serve_latest_states(pipeline, seeded):
    status, headers, body = _get(pipeline.web_port, "/stories?per_page=50")
    assert status == 200
    assert "describedby" in headers.get("Link", "")
    assert body["total"] >= 1 and body["page"] == 1
    seeds_story = next(s for s in body["stories"] if SEED_IDS & {a["article_id"] for a in s["articles"]})
    jsonschema.validate(seeds_story, SCHEMA)
    stamps = [s["updated_at"] for s in body["stories"]]
    assert stamps == sorted(stamps, reverse=True), "newest first"
    status, _, one = _get(pipeline.web_port, f"/stories/{seeds_story['story_id']}")
    assert status == 200 and one["story_id"] == seeds_story["story_id"]
    assert {a["article_id"] for a in one["articles"]} >= SEED_IDS
    status, _, _ = _get(pipeline.web_port, "/stories/st-does-not-exist")
    assert status == 404
    status, _, schema = _get(pipeline.web_port, "/schemas/story-state")
    assert status == 200 and schema == SCHEMA


def test_killed_aggregator_resumes_with_its_stories(pipeline, seeded):
    """SIGKILL the aggregator, restart it: it recovers its tables from the changelogs."""
    import signal
    before = latest_states(asyncio.run(read_until(pipeline.settings, "story-state", lambda rs: True, timeout=5)))
    seeds_story = next(s for s in before.values() if SEED_IDS & {a["article_id"] for a in s["articles"]})
    agg = next(c for c in pipeline.supervisor.children if c.name == "aggregator")
    agg.proc.send_signal(signal.SIGKILL)
    agg.proc.wait(30)
    with open(pipeline.log_path, "ab") as log_file:
        agg.start(log_file)
    follow_up = {
        "id": "follow-up-1", "outlet": "Test Wire",
        "title": "Kremlin says Putin and Kim Jong Un will discuss arms deal in Russia",
        "body": "Russian President Vladimir Putin will host North Korean leader Kim Jong Un in Russia, the Kremlin "
                "said, as U.S. officials warned that arms negotiations between Russia and North Korea are "
                "advancing. Kim is expected to travel from Pyongyang to discuss the supply of artillery "
                "ammunition for Russia's war in Ukraine, officials in Washington said. The White House warned "
                "North Korea it would pay a price for supplying weapons to Russia.",
    }
    proc = pipeline.cli("produce", "-", stdin=(json.dumps(follow_up) + "\n").encode())
    assert proc.returncode == 0, proc.stderr.decode()
    records = asyncio.run(read_until(pipeline.settings, "story-state",
                                     lambda rs: "follow-up-1" in covered_articles(rs), timeout=120))
    after = latest_states(records)
    holder = next(s for s in after.values() if "follow-up-1" in {a["article_id"] for a in s["articles"]})
    assert holder["story_id"] == seeds_story["story_id"], "the restarted aggregator still knows the story"
    assert holder["version"] == seeds_story["version"] + 1
    assert {a["article_id"] for a in holder["articles"]} == SEED_IDS | {"follow-up-1"}
    assert holder["totals"]["articles"] == 6
    assert "aggregator.restored" in pipeline.logs()


def test_five_statement_groups_each_merged_into_one_quote(seeded):
    gold = json.loads((ROOT.parent / "shared" / "gold" / "seed_quotes.json").read_text())
    story = next(iter(s for s in latest_states(seeded).values() if SEED_IDS <= {a["article_id"] for a in s["articles"]}))

    def holder(article_id: str, text: str) -> str:
        hits = [q["quote_id"] for q in story["quotes"]
                if any(v["article_id"] == article_id and _norm(v["text"]) == _norm(text) for v in q["variants"])]
        assert len(hits) == 1, (article_id, text, hits)
        return hits[0]

    group_ids = []
    for group in gold["same_statement_across_outlets"]:
        ids = {holder(item["article"], item["text"]) for item in group}
        assert len(ids) == 1, f"statement split over {len(ids)} quotes: {group[0]['text'][:60]}"
        group_ids.append(ids.pop())
    assert len(set(group_ids)) == len(group_ids), "two different statements merged"
