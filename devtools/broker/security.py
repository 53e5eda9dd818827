"""SASL_SSL for the local broker or cluster: SCRAM-SHA-512 over TLS.

``BrokerSecurity.create`` generates, in a directory, a throw-away CA and a server
certificate for 127.0.0.1 / localhost (``cryptography``), plus random passwords for the
broker's own user and the client users.  The broker reads the certificate as a PEM
keystore; the SCRAM credentials are written into the KRaft metadata when the storage is
formatted (``kafka-storage format --add-scram``).  Clients trust the CA file and log in
with a user's name and password (the services: ``client_env``).  For development and
tests only: the CA key sits unprotected beside the certificates.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import shlex
import shutil
import ssl
from dataclasses import dataclass, field
from pathlib import Path

MECHANISM = "SCRAM-SHA-512"
BROKER_USER = "broker"


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_ca(directory: Path, name: str = "storystream-dev-ca") -> tuple[Path, object, object]:
    """A self-signed CA: (certificate file, certificate, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, cert, key


def write_server_keystore(directory: Path, ca_cert, ca_key) -> Path:
    """Key + certificate chain for 127.0.0.1 and localhost, signed by the CA, in one PEM
    file (Kafka's ``ssl.keystore.type=PEM``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = _key()
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    path = directory / "server-keystore.pem"
    path.write_bytes(_pem_key(key) + cert.public_bytes(serialization.Encoding.PEM)
                     + ca_cert.public_bytes(serialization.Encoding.PEM))
    path.chmod(0o600)
    return path


@dataclass
class BrokerSecurity:
    directory: Path
    ca_file: Path
    keystore: Path
    passwords: dict[str, str] = field(repr=False)   # user -> password (the broker's own included)

    @classmethod
    def create(cls, directory: Path, users: tuple[str, ...] = ("storystream",), save: bool = False) -> "BrokerSecurity":
        """New material; ``save``: each password also in ``<user>.password`` (mode 0600)."""
        ca_file, ca_cert, ca_key = write_ca(directory)
        keystore = write_server_keystore(directory, ca_cert, ca_key)
        passwords = {u: secrets.token_urlsafe(18) for u in (BROKER_USER, *users)}
        out = cls(directory=directory, ca_file=ca_file, keystore=keystore, passwords=passwords)
        if save:
            for user, password in passwords.items():
                path = out.password_file(user)
                path.touch(mode=0o600)
                path.chmod(0o600)
                path.write_text(password + "\n")
        return out

    @classmethod
    def saved(cls, directory: Path, users: tuple[str, ...] = ("storystream",)) -> "BrokerSecurity | None":
        """The material a ``create(..., save=True)`` left in ``directory``, or None."""
        ca_file, keystore = directory / "storystream-dev-ca.pem", directory / "server-keystore.pem"
        files = {u: directory / f"{u}.password" for u in (BROKER_USER, *users)}
        if not (ca_file.exists() and keystore.exists() and all(f.exists() for f in files.values())):
            return None
        return cls(directory=directory, ca_file=ca_file, keystore=keystore,
                   passwords={u: f.read_text().strip() for u, f in files.items()})

    def password_file(self, user: str) -> Path:
        return self.directory / f"{user}.password"

    def client_exports(self, bootstrap: str, user: str = "storystream") -> list[str]:
        """Shell lines setting the services' environment for ``user``; the password is read from
        its file by the shell, never printed."""
        env = {"KAFKA_BOOTSTRAP": bootstrap, **self.client_env(user)}
        env.pop("KAFKA_SASL_PASSWORD")
        return ([f"export {k}={shlex.quote(v)}" for k, v in env.items()]
                + [f'export KAFKA_SASL_PASSWORD="$(cat {shlex.quote(str(self.password_file(user).resolve()))})"'])

    def broker_properties(self, listener: str) -> list[str]:
        name = listener.lower()
        jaas = (f'org.apache.kafka.common.security.scram.ScramLoginModule required '
                f'username="{BROKER_USER}" password="{self.passwords[BROKER_USER]}";')
        return [
            f"sasl.enabled.mechanisms={MECHANISM}",
            f"sasl.mechanism.inter.broker.protocol={MECHANISM}",
            f"listener.name.{name}.{MECHANISM.lower()}.sasl.jaas.config={jaas}",
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={self.keystore}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={self.ca_file}",
            "ssl.client.auth=none",
        ]

    def format_args(self) -> list[str]:
        """``kafka-storage format`` options creating every user's SCRAM credentials."""
        out = []
        for user, password in self.passwords.items():
            out += ["--add-scram", f"{MECHANISM}=[name={user},password={password}]"]
        return out

    def client_tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def client_options(self, user: str = BROKER_USER) -> dict:
        """aiokafka options for ``user``."""
        return {"security_protocol": "SASL_SSL", "ssl_context": self.client_tls(), "sasl_mechanism": MECHANISM,
                "sasl_plain_username": user, "sasl_plain_password": self.passwords[user]}

    def client_env(self, user: str = "storystream") -> dict[str, str]:
        """The services' environment (services/common/settings.py) to connect as ``user``."""
        return {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": MECHANISM,
                "KAFKA_SASL_USERNAME": user, "KAFKA_SASL_PASSWORD": self.passwords[user],
                "KAFKA_SSL_CAFILE": str(self.ca_file)}


def for_cli(broker_dir: Path, fresh: bool, formatted: bool) -> BrokerSecurity:
    """``storystream broker --sasl-ssl``: the material in ``<broker dir>-security`` beside the
    broker's data (``--fresh`` wipes the data, so it cannot live inside): kept from the run that
    formatted the storage, new with ``--fresh`` or a new data dir.  A storage formatted without
    SASL_SSL has no SCRAM credentials: ``SystemExit`` asking for ``--fresh``."""
    directory = broker_dir.with_name(broker_dir.name + "-security")
    if fresh:
        shutil.rmtree(directory, ignore_errors=True)
    elif formatted:
        kept = BrokerSecurity.saved(directory)
        if kept is None:
            raise SystemExit(f"storystream broker: {broker_dir} was formatted without --sasl-ssl "
                             f"(no credentials in {directory}): add --fresh to start it anew")
        return kept
    return BrokerSecurity.create(directory, save=True)
