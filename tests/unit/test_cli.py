"""``storystream``: the light commands start without faust or spaCy."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_module_loads_neither_faust_nor_spacy():
    code = "import sys, services.cli; print(sorted(m for m in ('faust', 'spacy', 'devtools') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_eval_stories_takes_data_sets_and_folds_and_fit_stories_writes_fitted_json():
    from services.cli import parser
    args = parser().parse_args(["eval", "stories", "a.jsonl", "a.jsonl+b.jsonl", "--folds", "3"])
    assert args.data == ["a.jsonl", "a.jsonl+b.jsonl"] and args.folds == 3 and not args.kafka
    assert parser().parse_args(["eval", "stories", "a.jsonl"]).folds == 5
    # the figure of record averages three dealings of the topics into folds unless told otherwise
    assert parser().parse_args(["eval", "stories", "a.jsonl"]).dealings == [0, 1, 2]
    assert parser().parse_args(["eval", "stories", "a.jsonl", "--dealings", "0"]).dealings == [0]
    fit = parser().parse_args(["fit", "stories", "a.jsonl+b.jsonl", "c.jsonl"])
    assert fit.data == ["a.jsonl+b.jsonl", "c.jsonl"] and fit.out.endswith("services/aggregator/fitted.json")


def test_eval_of_one_file_refuses_several():
    proc = subprocess.run([sys.executable, "-m", "services.cli", "eval", "quotes", "a.jsonl", "b.jsonl"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode != 0 and "one DATA file" in proc.stderr
