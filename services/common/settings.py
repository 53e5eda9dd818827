"""Settings from the environment (12-factor).  One frozen object, read once."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _default_bootstrap() -> str:
    """``KAFKA_BOOTSTRAP`` wins; else the address a running ``storystream broker`` wrote; else :9092."""
    if os.environ.get("KAFKA_BOOTSTRAP"):
        return os.environ["KAFKA_BOOTSTRAP"]
    marker = Path(_env("STORYSTREAM_DATA_DIR", str(ROOT / ".data"))) / "broker" / "bootstrap"
    if marker.exists():
        text = marker.read_text().strip()
        if text:
            return text
    return "127.0.0.1:9092"


@dataclass(frozen=True)
class Settings:
    bootstrap: str = field(default_factory=_default_bootstrap)
    topic_prefix: str = field(default_factory=lambda: _env("STORYSTREAM_TOPIC_PREFIX", ""))
    app_prefix: str = field(default_factory=lambda: _env("STORYSTREAM_APP_PREFIX", "storystream"))
    data_dir: Path = field(default_factory=lambda: Path(_env("STORYSTREAM_DATA_DIR", str(ROOT / ".data"))))
    store: str = field(default_factory=lambda: _env("STORYSTREAM_STORE", "memory://"))
    article_partitions: int = field(default_factory=lambda: int(_env("STORYSTREAM_PARTITIONS", "4")))
    batch_size: int = field(default_factory=lambda: int(_env("STORYSTREAM_BATCH_SIZE", "16")))
    batch_within: float = field(default_factory=lambda: float(_env("STORYSTREAM_BATCH_WITHIN", "0.05")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("STORYSTREAM_MAX_BODY_BYTES", str(4 * 1024 * 1024))))
    web_port: int = field(default_factory=lambda: int(_env("STORYSTREAM_WEB_PORT", "6066")))
    web_host: str = field(default_factory=lambda: _env("STORYSTREAM_WEB_HOST", "127.0.0.1"))
    log_level: str = field(default_factory=lambda: _env("STORYSTREAM_LOG_LEVEL", "info"))
    story_close_seconds: float = field(default_factory=lambda: float(_env("STORYSTREAM_STORY_CLOSE_SECONDS", str(3 * 24 * 3600))))
    # how often (wall-clock seconds) the aggregator looks for idle stories to close
    close_check_seconds: float = field(default_factory=lambda: float(_env("STORYSTREAM_CLOSE_CHECK_SECONDS", "30")))
    # Kafka security (SSL / SASL PLAIN / SCRAM); secrets are never logged.
    security_protocol: str = field(default_factory=lambda: _env("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"))
    sasl_mechanism: str = field(default_factory=lambda: _env("KAFKA_SASL_MECHANISM", ""))
    sasl_username: str = field(default_factory=lambda: _env("KAFKA_SASL_USERNAME", ""))
    sasl_password: str = field(default_factory=lambda: _env("KAFKA_SASL_PASSWORD", ""), repr=False)
    ssl_cafile: str = field(default_factory=lambda: _env("KAFKA_SSL_CAFILE", ""))
    ssl_certfile: str = field(default_factory=lambda: _env("KAFKA_SSL_CERTFILE", ""))
    ssl_keyfile: str = field(default_factory=lambda: _env("KAFKA_SSL_KEYFILE", ""))

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def app_id(self, service: str) -> str:
        return f"{self.app_prefix}-{service}"

    def public(self) -> dict:
        """Settings safe to log (no secrets)."""
        out = {}
        for f in fields(self):
            if f.name in ("sasl_password",):
                out[f.name] = "***" if getattr(self, f.name) else ""
            else:
                out[f.name] = str(getattr(self, f.name))
        return out


def load() -> Settings:
    return Settings()
