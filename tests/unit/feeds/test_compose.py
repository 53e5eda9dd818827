"""docker-compose.yml runs the feeds worker and the ingest service from the project image."""
from __future__ import annotations

from tests.unit.test_compose import build_of, command_of, depends_on, env_of, load_compose


def test_feeds_service_reads_the_mounted_config():
    svc = load_compose()["services"]["feeds"]
    assert build_of(svc) == (".", "Dockerfile")
    assert command_of(svc) == ["storystream", "worker", "feeds"]
    env = env_of(svc)
    assert env["KAFKA_BOOTSTRAP"] == "kafka:9092" and depends_on(svc)["kafka"] == "service_healthy"
    mounts = [str(v).split(":") for v in svc["volumes"]]
    assert [m[1] for m in mounts if m[0] == "./feeds.yaml"] == [env["STORYSTREAM_FEEDS_CONFIG"]]


def test_ingest_service_listens_outside_the_container_with_a_token_from_the_environment():
    svc = load_compose()["services"]["ingest"]
    assert command_of(svc) == ["storystream", "worker", "ingest"]
    env = env_of(svc)
    assert env["STORYSTREAM_INGEST_HOST"] == "0.0.0.0"
    assert env["STORYSTREAM_INGEST_TOKEN"].startswith("${STORYSTREAM_INGEST_TOKEN"), "never a token in the file"
    assert any(str(p).split(":")[-1] == "6067" for p in svc["ports"])
