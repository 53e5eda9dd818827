from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.common import kafka
from services.common.kafka import client_options, topic_layout
from services.common.settings import ENV_NAMES, Settings, SettingsError, load

ROOT = Path(__file__).resolve().parents[3]


def test_env_overrides(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "example:1234")
    monkeypatch.setenv("STORYSTREAM_TOPIC_PREFIX", "p-")
    s = Settings()
    assert s.bootstrap == "example:1234"
    assert s.topic("articles") == "p-articles"


def test_secrets_never_in_public_view_or_repr(monkeypatch):
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "hunter2")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "svc")
    s = Settings()
    assert "hunter2" not in repr(s) and "hunter2" not in str(s)
    assert "hunter2" not in str(s.public()) and s.public()["sasl_password"] == "***"
    opts = client_options(s)
    assert opts["sasl_mechanism"] == "SCRAM-SHA-512" and opts["sasl_plain_password"] == "hunter2"
    assert opts["security_protocol"] == "SASL_PLAINTEXT"


def test_topic_layout_story_state_is_compacted_and_aggregator_inputs_single_partition(monkeypatch):
    monkeypatch.setenv("STORYSTREAM_PARTITIONS", "6")
    layout = topic_layout(Settings())
    assert layout["story-state"]["config"]["cleanup.policy"] == "compact"
    assert layout["articles"]["partitions"] == 6
    assert layout["article-quotes"]["partitions"] == 1 and layout["article-entities"]["partitions"] == 1


def test_defaults_and_empty_values(monkeypatch, tmp_path):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STORYSTREAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STORYSTREAM_BATCH_SIZE", "")  # empty: the default, as if unset
    s = Settings()
    assert (s.bootstrap, s.topic_prefix, s.app_prefix, s.store) == ("127.0.0.1:9092", "", "storystream", "memory://")
    assert (s.article_partitions, s.batch_size, s.batch_within, s.max_body_bytes) == (4, 16, 0.05, 4 * 1024 * 1024)
    assert (s.web_port, s.web_host, s.log_level) == (6066, "127.0.0.1", "info")
    assert (s.story_close_seconds, s.close_check_seconds) == (3 * 24 * 3600, 30)
    assert s.story_reopen_seconds == 30 * 24 * 3600
    assert (s.security_protocol, s.sasl_mechanism, s.sasl_username) == ("PLAINTEXT", "", "")
    assert s.sasl_password.get_secret_value() == "" and s.public()["sasl_password"] == ""
    assert s.data_dir == tmp_path
    assert s.app_id("quotes") == "storystream-quotes"


def test_numbers_are_parsed(monkeypatch):
    monkeypatch.setenv("STORYSTREAM_BATCH_SIZE", "8")
    monkeypatch.setenv("STORYSTREAM_BATCH_WITHIN", "0.5")
    monkeypatch.setenv("STORYSTREAM_STORY_CLOSE_SECONDS", "86400")
    monkeypatch.setenv("STORYSTREAM_STORY_REOPEN_SECONDS", "259200")
    s = Settings()
    assert (s.batch_size, s.batch_within, s.story_close_seconds) == (8, 0.5, 86400.0)
    assert s.story_reopen_seconds == 259200.0


def test_bootstrap_from_a_running_local_broker(monkeypatch, tmp_path):
    monkeypatch.delenv("KAFKA_BOOTSTRAP", raising=False)
    monkeypatch.setenv("STORYSTREAM_DATA_DIR", str(tmp_path))
    (tmp_path / "broker").mkdir()
    (tmp_path / "broker" / "bootstrap").write_text("127.0.0.1:41234\n")
    assert Settings().bootstrap == "127.0.0.1:41234"
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "other:9092")  # the variable wins
    assert Settings().bootstrap == "other:9092"


def test_load_overrides_the_environment_with_a_mapping(monkeypatch):
    monkeypatch.setenv("STORYSTREAM_TOPIC_PREFIX", "env-")
    monkeypatch.setenv("STORYSTREAM_APP_PREFIX", "from-env")
    s = load({"STORYSTREAM_TOPIC_PREFIX": "mine-", "PATH": "/not/a/setting", "STORYSTREAM_BATCH_SIZE": "3"})
    assert (s.topic_prefix, s.app_prefix, s.batch_size) == ("mine-", "from-env", 3)
    assert os.environ["STORYSTREAM_TOPIC_PREFIX"] == "env-"  # the process environment is left alone


@pytest.mark.parametrize("name, value, expects", [
    ("STORYSTREAM_BATCH_SIZE", "x", "a whole number >= 1"),
    ("STORYSTREAM_BATCH_SIZE", "0", "a whole number >= 1"),
    ("STORYSTREAM_BATCH_WITHIN", "soon", "seconds > 0"),
    ("STORYSTREAM_WEB_PORT", "70000", "a port, 0-65535"),
    ("KAFKA_SECURITY_PROTOCOL", "TLS", "PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL"),
    ("KAFKA_SASL_MECHANISM", "KERBEROS", "PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512"),
])
def test_a_bad_value_is_one_line_naming_the_variable_and_what_it_expects(monkeypatch, name, value, expects):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        Settings()
    text = str(err.value)
    assert f"{name}={value!r}: expected {expects}" in text
    assert "\n" not in text


def test_every_bad_variable_is_named(monkeypatch):
    monkeypatch.setenv("STORYSTREAM_PARTITIONS", "many")
    monkeypatch.setenv("STORYSTREAM_MAX_BODY_BYTES", "-1")
    with pytest.raises(SettingsError, match=r"STORYSTREAM_PARTITIONS='many'.*; STORYSTREAM_MAX_BODY_BYTES='-1'"):
        load()


def test_protocol_and_mechanism_in_any_case(monkeypatch):
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "scram-sha-256")
    s = Settings()
    assert (s.security_protocol, s.sasl_mechanism) == ("sasl_ssl", "scram-sha-256")


def test_a_bad_value_fails_when_loaded_not_at_import_and_the_cli_exits_2():
    env = {**os.environ, "STORYSTREAM_BATCH_SIZE": "x", "PYTHONPATH": str(ROOT)}
    imported = subprocess.run([sys.executable, "-c", "import services.common.settings, services.cli"],
                              env=env, capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    proc = subprocess.run([sys.executable, "-m", "services.cli", "topics"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "storystream: error: invalid setting STORYSTREAM_BATCH_SIZE='x': expected a whole number >= 1 "
        "(Input should be a valid integer, unable to parse string as an integer)"]


async def test_topics_never_served_by_a_leader_fail_with_a_clear_error(monkeypatch):
    """``ensure_topics`` waits for new partitions to answer on their leader; a broker that
    never serves them makes start-up fail with the topics named, not hang."""
    class NeverServed:
        async def start(self):
            pass

        async def stop(self):
            pass

        async def end_offsets(self, tps):
            await asyncio.sleep(3600)

    async def partitions(consumer, topic):
        return {0, 1}

    monkeypatch.setattr(kafka, "make_consumer", lambda *a, **k: NeverServed())
    monkeypatch.setattr(kafka, "cluster_partitions", partitions)
    with pytest.raises(TimeoutError, match=r"partition leader after 1s: \['x-articles'\]"):
        await kafka._wait_for_leaders(Settings(), ["x-articles"], timeout=1.0)


def test_trusted_proxies_are_checked_when_the_settings_are_read():
    assert load({"STORYSTREAM_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}).trusted_networks[1].num_addresses == 1
    assert load({}).trusted_networks == ()
    with pytest.raises(SettingsError, match="STORYSTREAM_TRUSTED_PROXIES='gateway'"):
        load({"STORYSTREAM_TRUSTED_PROXIES": "gateway"})
