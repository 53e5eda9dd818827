"""Kafka connection options: one TLS context builder for aiokafka clients and faust apps."""
from __future__ import annotations

import ssl

import faust
import pytest

from services.common.app import make_app
from services.common.kafka import client_options, ssl_context
from services.common.settings import Settings


@pytest.fixture
def tls(monkeypatch, tmp_path):
    monkeypatch.setenv("STORYSTREAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "pw")
    for name in ("KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE", "KAFKA_SASL_MECHANISM"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("protocol, tls_expected", [("PLAINTEXT", False), ("SASL_PLAINTEXT", False),
                                                    ("SSL", True), ("sasl_ssl", True)])
def test_tls_context_only_for_the_ssl_protocols(tls, protocol, tls_expected):
    tls.setenv("KAFKA_SECURITY_PROTOCOL", protocol)
    ctx = ssl_context(Settings())
    assert (ctx is not None) == tls_expected
    if ctx is not None:
        assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


@pytest.mark.parametrize("protocol, credentials", [("SSL", faust.SSLCredentials), ("SASL_SSL", faust.SASLCredentials)])
def test_aiokafka_and_faust_get_the_same_kind_of_context(tls, protocol, credentials):
    tls.setenv("KAFKA_SECURITY_PROTOCOL", protocol)
    s = Settings()
    assert isinstance(client_options(s)["ssl_context"], ssl.SSLContext)
    creds = make_app("tls-test", s).conf.broker_credentials
    context = creds.context if isinstance(creds, faust.SSLCredentials) else creds.ssl_context
    assert isinstance(creds, credentials) and isinstance(context, ssl.SSLContext)


def test_a_missing_ca_file_fails_for_both(tls, tmp_path):
    tls.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    tls.setenv("KAFKA_SSL_CAFILE", str(tmp_path / "missing-ca.pem"))
    s = Settings()
    with pytest.raises(FileNotFoundError):
        client_options(s)
    with pytest.raises(FileNotFoundError):
        make_app("tls-test", s)
