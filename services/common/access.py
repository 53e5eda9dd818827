"""Is this client let in?  A broker that refuses our TLS or SASL login is a configuration
error, not an outage: retrying cannot help, so it is reported once and ends the process.

aiokafka's clients treat both as a failed connection: they log each attempt and retry
until their timeout, and the final ``KafkaConnectionError`` no longer says why.  ``probe``
opens one connection to each bootstrap address itself and tells the two apart.
"""
from __future__ import annotations

import asyncio
import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import (AuthenticationFailedError, IllegalSaslStateError, KafkaError,
                             SaslAuthenticationFailed, UnsupportedSaslMechanismError)

from services.common.settings import Settings

SASL_REFUSALS = (SaslAuthenticationFailed, AuthenticationFailedError, UnsupportedSaslMechanismError,
                 IllegalSaslStateError)

ACCESS_REFUSED_EXIT = 3     # a worker's exit code when the broker refused our TLS or SASL login


class KafkaAccessRefused(RuntimeError):
    """The broker refused this client's TLS or SASL (one line, never a secret)."""


def _addresses(bootstrap: str) -> list[tuple[str, int]]:
    out = []
    for item in bootstrap.split(","):
        host, _, port = item.strip().rpartition(":")
        out.append((host.strip("[]") or "localhost", int(port or 9092)))
    return out


async def probe(settings: Settings, timeout_ms: int = 10000) -> None:
    """Raise ``KafkaAccessRefused`` when a bootstrap broker rejects the certificate chain or
    the SASL login; return when one lets us in or none answers (an outage: callers retry)."""
    from services.common.kafka import client_options

    if settings.security_protocol.upper() == "PLAINTEXT":
        return
    opts = {k: v for k, v in client_options(settings).items() if k != "bootstrap_servers"}
    for host, port in _addresses(settings.bootstrap):
        try:
            conn = await create_conn(host, port, request_timeout_ms=timeout_ms, **opts)
        except ssl.SSLCertVerificationError as exc:
            raise KafkaAccessRefused(
                f"Kafka at {host}:{port} refused: its TLS certificate is not trusted "
                f"({exc.verify_message}; KAFKA_SSL_CAFILE={settings.ssl_cafile or '(unset: system CAs)'})") from None
        except ssl.SSLError as exc:
            raise KafkaAccessRefused(f"Kafka at {host}:{port} refused: TLS handshake failed ({exc.reason or exc}; "
                                     f"KAFKA_SECURITY_PROTOCOL={settings.security_protocol})") from None
        except SASL_REFUSALS as exc:
            raise KafkaAccessRefused(
                f"Kafka at {host}:{port} refused: SASL {opts.get('sasl_mechanism')} login of user "
                f"{settings.sasl_username!r} failed (wrong KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD?): "
                f"{_broker_message(exc)}") from None
        except (OSError, asyncio.TimeoutError, KafkaError):
            continue          # not reachable now: the caller's retry loop decides
        conn.close()
        return


def _broker_message(exc: Exception) -> str:
    """The broker's reason, which names the mechanism and never the password."""
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return text.splitlines()[0][:300]
