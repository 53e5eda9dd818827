"""The stack launcher's environment for workers, and the settings they read from it."""
from __future__ import annotations

import os
import sys

from devtools import supervisor
from devtools.stack import settings_for, stack_env, workers


def test_workers_get_their_own_topics_groups_and_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("STORYSTREAM_TOPIC_PREFIX", "outer-")
    env = stack_env("127.0.0.1:19092", tmp_path, STORYSTREAM_BATCH_SIZE=4)
    s = settings_for(env)
    assert s.bootstrap == "127.0.0.1:19092" and s.data_dir == tmp_path
    assert s.topic_prefix.startswith("r") and s.topic_prefix != "outer-"
    assert s.app_id("quotes") == f"storystream-{s.topic_prefix.rstrip('-')}-quotes"
    assert s.batch_size == 4 and s.web_port == int(env["STORYSTREAM_WEB_PORT"])
    assert os.environ["STORYSTREAM_TOPIC_PREFIX"] == "outer-"  # the launcher's own environment is untouched


def test_a_given_prefix_is_kept(tmp_path):
    assert settings_for(stack_env("h:1", tmp_path, prefix="it1-")).topic("articles") == "it1-articles"


def test_a_worker_named_twice_runs_twice_each_copy_with_its_own_data_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(supervisor, "worker_command", lambda name: [sys.executable, "-c", "import time; time.sleep(60)"])
    env = stack_env("h:1", tmp_path)
    with workers(["annotator", "annotator", "quotes"], env, tmp_path / "workers.log") as sup:
        dirs = [(c.name, c.env["STORYSTREAM_DATA_DIR"]) for c in sup.children]
        assert all(c.alive() for c in sup.children)
    assert dirs == [("annotator", str(tmp_path)), ("annotator", str(tmp_path / "annotator2")),
                    ("quotes", str(tmp_path))]
    assert not any(c.alive() for c in sup.children)
