"""`storystream extract`: the same extraction without Kafka, one JSON line per article."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from services.producer.sources import read_paths

ROOT = Path(__file__).resolve().parents[2]
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]


def test_extract_prints_quotes_and_entities_with_exact_offsets():
    proc = subprocess.run([sys.executable, "-m", "services.cli", "extract", str(SEED)], capture_output=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    lines = proc.stdout.decode().strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    article = next(iter(read_paths([str(SEED)])))
    assert out["article_id"] == article.article_id == SEED.name
    assert out["quotes"] and out["entities"]
    for q in out["quotes"]:
        assert {"text", "speaker", "speaker_mention", "cue", "start", "end", "kind"} <= set(q)
        source = article.title if q["kind"] == "headline" else article.body
        assert source[q["start"]:q["end"]] == q["text"]
        if q["speaker_mention"]:
            m = q["speaker_mention"]
            assert article.body[m["start"]:m["end"]] == m["text"]
    for e in out["entities"]:
        assert e["name"] and e["type"]
        for m in e["mentions"]:
            assert article.body[m["start"]:m["end"]] == m["text"]


def test_extract_reads_stdin_and_reports_bad_records():
    good = {"id": "x1", "title": "Storm hits coast", "body": "\"We lost everything,\" said fisherman Tom Reyes."}
    data = (json.dumps(good) + "\n" + '{"id": "x2", "title": 7}\n').encode()
    proc = subprocess.run([sys.executable, "-m", "services.cli", "extract", "-"], input=data, capture_output=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 1  # one bad record
    assert "error: <stdin>:2:" in proc.stderr.decode()
    out = json.loads(proc.stdout.decode().strip().splitlines()[0])
    assert out["article_id"] == "x1"
    assert out["quotes"][0]["text"] == "We lost everything,"
    assert out["quotes"][0]["speaker"] == "Tom Reyes"
