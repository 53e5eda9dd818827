"""Settings from the environment (12-factor), parsed and checked by pydantic-settings.

One frozen object, read when ``load()`` (or ``Settings()``) is called, never at import.  Each
field reads the environment variable named by its alias; an unset or empty variable means
the default.  A value that does not parse raises ``SettingsError``, one line naming the
variable, the value and what it expects (secrets are never echoed).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


class SettingsError(ValueError):
    """An environment variable whose value the settings cannot use."""


def _default_bootstrap(data: dict[str, Any]) -> str:
    """Without ``KAFKA_BOOTSTRAP``: the address a running ``storystream broker`` wrote in the
    data dir, else 127.0.0.1:9092."""
    marker = Path(data["data_dir"]) / "broker" / "bootstrap"
    if marker.exists():
        text = marker.read_text().strip()
        if text:
            return text
    return "127.0.0.1:9092"


def _env(name: str, default: Any, expects: str, **constraints: Any) -> Any:
    """A field read from environment variable ``name``; ``expects`` goes into the error."""
    return Field(default, validation_alias=name, description=expects, **constraints)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, case_sensitive=True, env_ignore_empty=True,
                                      extra="ignore")

    # data_dir first: the default bootstrap address is read from a file in it
    data_dir: Path = _env("STORYSTREAM_DATA_DIR", ROOT / ".data", "a directory path")
    bootstrap: str = Field(default_factory=_default_bootstrap, validation_alias="KAFKA_BOOTSTRAP",
                           description="host:port[,host:port...]")
    topic_prefix: str = _env("STORYSTREAM_TOPIC_PREFIX", "", "a string")
    app_prefix: str = _env("STORYSTREAM_APP_PREFIX", "storystream", "a string")
    store: str = _env("STORYSTREAM_STORE", "memory://", "a faust store URL")
    article_partitions: int = _env("STORYSTREAM_PARTITIONS", 4, "a whole number >= 1", ge=1)
    batch_size: int = _env("STORYSTREAM_BATCH_SIZE", 16, "a whole number >= 1", ge=1)
    batch_within: float = _env("STORYSTREAM_BATCH_WITHIN", 0.05, "seconds > 0", gt=0)
    max_body_bytes: int = _env("STORYSTREAM_MAX_BODY_BYTES", 4 * 1024 * 1024, "a whole number >= 1", ge=1)
    web_port: int = _env("STORYSTREAM_WEB_PORT", 6066, "a port, 0-65535", ge=0, le=65535)
    web_host: str = _env("STORYSTREAM_WEB_HOST", "127.0.0.1", "a host name or address")
    # Prometheus /metrics, /healthz and /readyz: each worker on this port plus its offset
    # (services/common/metrics.py PORT_OFFSETS); 0 turns them off.
    metrics_port: int = _env("STORYSTREAM_METRICS_PORT", 9464, "a port, 0-65535", ge=0, le=65535)
    metrics_host: str = _env("STORYSTREAM_METRICS_HOST", "127.0.0.1", "a host name or address")
    # the aggregator's story API: an optional bearer token (empty: none asked), and the largest
    # request it reads (its views take no body)
    web_token: SecretStr = _env("STORYSTREAM_WEB_TOKEN", SecretStr(""), "a string")
    web_max_request_bytes: int = _env("STORYSTREAM_WEB_MAX_REQUEST_BYTES", 16 * 1024, "a whole number >= 1", ge=1)
    # per-client rate limit (services/common/ratelimit.py) of the HTTP endpoints that accept or
    # serve data: ingest's POST /articles, the aggregator's /stories, the board's /api/; 0: off.
    # Not fitted: generous for a CMS pushing articles or a dashboard polling, far below a flood.
    rate_limit: float = _env("STORYSTREAM_RATE_LIMIT", 20.0, "requests a second >= 0 (0: off)", ge=0)
    rate_burst: int = _env("STORYSTREAM_RATE_BURST", 40, "a whole number >= 1", ge=1)
    # reverse proxies whose X-Forwarded-For names the client the rate limit counts (empty: the
    # peer address is the client)
    trusted_proxies: str = _env("STORYSTREAM_TRUSTED_PROXIES", "", "comma-separated addresses or networks")
    log_level: str = _env("STORYSTREAM_LOG_LEVEL", "info", "a log level name")
    story_close_seconds: float = _env("STORYSTREAM_STORY_CLOSE_SECONDS", 3 * 24 * 3600.0, "seconds > 0", gt=0)
    # a closed story older than this (event time) can no longer be reopened: the aggregator keeps
    # (and restores) the stories of this window besides the open ones.  Not fitted: an operating
    # choice between memory and late reports (docs/hardening.md, restart memory)
    story_reopen_seconds: float = _env("STORYSTREAM_STORY_REOPEN_SECONDS", 30 * 24 * 3600.0, "seconds > 0", gt=0)
    # how often (wall-clock seconds) the aggregator looks for idle stories to close
    close_check_seconds: float = _env("STORYSTREAM_CLOSE_CHECK_SECONDS", 30.0, "seconds > 0", gt=0)
    # a join half (quotes or entities) whose twin has not come this long (wall clock) is dropped
    # and dead-lettered.  Not fitted: the twin normally comes within seconds; a day leaves an
    # extractor that is down overnight time to catch up before anything valid is dead-lettered
    # (and the dead letter carries the half, to be replayed).
    pending_expire_seconds: float = _env("STORYSTREAM_PENDING_EXPIRE_SECONDS", 24 * 3600.0, "seconds > 0", gt=0)
    # The feeds worker (services/feeds): its config file, its state topics' partitions (the unit
    # of ownership between workers), politeness and limits.
    feeds_config: Path = _env("STORYSTREAM_FEEDS_CONFIG", ROOT / "feeds.yaml", "a file path")
    feeds_partitions: int = _env("STORYSTREAM_FEEDS_PARTITIONS", 4, "a whole number >= 1", ge=1)
    feeds_user_agent: str = _env("STORYSTREAM_FEEDS_USER_AGENT",
                                 "storystream-feeds/0.1 (+https://github.com/storystream/storystream)",
                                 "a User-Agent with a contact URL")
    feeds_interval: float = _env("STORYSTREAM_FEEDS_INTERVAL", 900.0, "seconds > 0", gt=0)
    feeds_min_interval: float = _env("STORYSTREAM_FEEDS_MIN_INTERVAL", 60.0, "seconds > 0", gt=0)
    feeds_max_interval: float = _env("STORYSTREAM_FEEDS_MAX_INTERVAL", 6 * 3600.0, "seconds > 0", gt=0)
    feeds_host_delay: float = _env("STORYSTREAM_FEEDS_HOST_DELAY", 1.0, "seconds >= 0", ge=0)
    feeds_host_concurrency: int = _env("STORYSTREAM_FEEDS_HOST_CONCURRENCY", 1, "a whole number >= 1", ge=1)
    feeds_timeout: float = _env("STORYSTREAM_FEEDS_TIMEOUT", 30.0, "seconds > 0", gt=0)
    feeds_max_feed_bytes: int = _env("STORYSTREAM_FEEDS_MAX_FEED_BYTES", 10 * 1024 * 1024, "a whole number >= 1", ge=1)
    feeds_max_page_bytes: int = _env("STORYSTREAM_FEEDS_MAX_PAGE_BYTES", 5 * 1024 * 1024, "a whole number >= 1", ge=1)
    feeds_max_items: int = _env("STORYSTREAM_FEEDS_MAX_ITEMS", 200, "a whole number >= 1", ge=1)
    feeds_item_retries: int = _env("STORYSTREAM_FEEDS_ITEM_RETRIES", 3, "a whole number >= 1", ge=1)
    feeds_item_retention_days: float = _env("STORYSTREAM_FEEDS_ITEM_RETENTION_DAYS", 30.0, "days > 0", gt=0)
    # The push service (services/ingest): POST /articles with a bearer token.
    ingest_host: str = _env("STORYSTREAM_INGEST_HOST", "127.0.0.1", "a host name or address")
    ingest_port: int = _env("STORYSTREAM_INGEST_PORT", 6067, "a port, 0-65535", ge=0, le=65535)
    ingest_token: SecretStr = _env("STORYSTREAM_INGEST_TOKEN", SecretStr(""), "a string")
    ingest_max_bytes: int = _env("STORYSTREAM_INGEST_MAX_BYTES", 16 * 1024 * 1024, "a whole number >= 1", ge=1)
    # The live story board (storystream board).
    board_host: str = _env("STORYSTREAM_BOARD_HOST", "127.0.0.1", "a host name or address")
    board_port: int = _env("STORYSTREAM_BOARD_PORT", 6068, "a port, 0-65535", ge=0, le=65535)
    # Replication of every topic the services create (faust changelogs included); 0 or unset:
    # min(3, brokers) and min(2, brokers), counted in the cluster metadata (common/replication.py)
    replication_factor: int = _env("STORYSTREAM_REPLICATION_FACTOR", 0,
                                   "a whole number >= 1 (0: min(3, brokers))", ge=0)
    min_insync_replicas: int = _env("STORYSTREAM_MIN_INSYNC_REPLICAS", 0,
                                    "a whole number >= 1 (0: min(2, brokers))", ge=0)
    # Kafka security (SSL / SASL PLAIN / SCRAM); secrets are never logged.
    security_protocol: str = _env("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", " | ".join(SECURITY_PROTOCOLS))
    sasl_mechanism: str = _env("KAFKA_SASL_MECHANISM", "", " | ".join(SASL_MECHANISMS))
    sasl_username: str = _env("KAFKA_SASL_USERNAME", "", "a string")
    sasl_password: SecretStr = _env("KAFKA_SASL_PASSWORD", SecretStr(""), "a string")
    ssl_cafile: str = _env("KAFKA_SSL_CAFILE", "", "a file path")
    ssl_certfile: str = _env("KAFKA_SSL_CERTFILE", "", "a file path")
    ssl_keyfile: str = _env("KAFKA_SSL_KEYFILE", "", "a file path")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None

    @field_validator("security_protocol")
    @classmethod
    def _known_protocol(cls, value: str) -> str:
        if value.upper() not in SECURITY_PROTOCOLS:
            raise ValueError("unknown security protocol")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        from services.common.ratelimit import parse_networks
        parse_networks(value)
        return value

    @property
    def trusted_networks(self) -> tuple:
        """``STORYSTREAM_TRUSTED_PROXIES`` as networks."""
        from services.common.ratelimit import parse_networks
        return parse_networks(self.trusted_proxies)

    @field_validator("sasl_mechanism")
    @classmethod
    def _known_mechanism(cls, value: str) -> str:
        if value and value.upper() not in SASL_MECHANISMS:
            raise ValueError("unknown SASL mechanism")
        return value

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def app_id(self, service: str) -> str:
        return f"{self.app_prefix}-{service}"

    def public(self) -> dict:
        """Settings safe to log (no secrets)."""
        out = {name: str(getattr(self, name)) for name in type(self).model_fields}
        out["sasl_password"] = "***" if self.sasl_password.get_secret_value() else ""
        out["ingest_token"] = "***" if self.ingest_token.get_secret_value() else ""
        out["web_token"] = "***" if self.web_token.get_secret_value() else ""
        return out


ENV_NAMES = {field.validation_alias: name for name, field in Settings.model_fields.items()}


def _describe(exc: ValidationError) -> str:
    """One line: each bad variable with its value (never a secret's) and what it expects."""
    fields = Settings.model_fields
    parts = []
    for err in exc.errors():
        env = str(err["loc"][0]) if err["loc"] else "settings"
        field = fields.get(ENV_NAMES.get(env, ""))
        expects = field.description if field is not None else None
        value = "***" if field is not None and field.annotation is SecretStr else repr(err.get("input"))
        parts.append(f"{env}={value}: expected {expects} ({err['msg']})" if expects
                     else f"{env}: {err['msg']}")
    return "invalid setting " + "; ".join(parts)


def load(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from the process environment, where ``env`` (if given) overrides it.

    Raises ``SettingsError`` for a value that does not parse."""
    overrides = {name: value for name, value in (env or {}).items() if name in ENV_NAMES and value != ""}
    return Settings(**overrides)
