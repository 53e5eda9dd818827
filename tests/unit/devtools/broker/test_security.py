"""The SASL_SSL material and broker configuration (no JVM started)."""
from __future__ import annotations

import ipaddress
import ssl

from cryptography import x509

from devtools.broker.cluster import LocalCluster
from devtools.broker.security import BROKER_USER, MECHANISM, BrokerSecurity


def _props(node) -> dict[str, str]:
    return dict(line.split("=", 1) for line in node._properties().splitlines() if line)


def test_the_server_certificate_is_signed_by_the_ca_for_loopback(tmp_path):
    sec = BrokerSecurity.create(tmp_path, users=("svc",))
    certs = x509.load_pem_x509_certificates(sec.keystore.read_bytes())
    server, ca = certs[0], x509.load_pem_x509_certificate(sec.ca_file.read_bytes())
    server.verify_directly_issued_by(ca)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert b"PRIVATE KEY" in sec.keystore.read_bytes() and (sec.keystore.stat().st_mode & 0o077) == 0
    ctx = sec.client_tls()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_every_user_gets_a_distinct_random_scram_credential(tmp_path):
    a = BrokerSecurity.create(tmp_path / "a", users=("svc", "other"))
    b = BrokerSecurity.create(tmp_path / "b", users=("svc", "other"))
    assert set(a.passwords) == {BROKER_USER, "svc", "other"}
    assert len(set(a.passwords.values())) == 3 and a.passwords["svc"] != b.passwords["svc"]
    args = a.format_args()
    assert args.count("--add-scram") == 3
    assert f"{MECHANISM}=[name=svc,password={a.passwords['svc']}]" in args
    assert "password" not in repr(a) and a.passwords["svc"] not in repr(a)


def test_a_secured_cluster_node_has_only_sasl_ssl_for_clients_and_between_brokers(tmp_path):
    sec = BrokerSecurity.create(tmp_path / "certs")
    c = LocalCluster(data_dir=tmp_path / "cl", size=3, security=sec)
    c._build()
    for node in c.nodes:
        p = _props(node)
        assert p["listeners"].startswith("SASL_SSL://127.0.0.1:") and "PLAINTEXT://" not in p["listeners"]
        assert p["inter.broker.listener.name"] == "SASL_SSL"
        assert p["sasl.enabled.mechanisms"] == MECHANISM
        assert f'username="{BROKER_USER}"' in p["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]
        assert p["ssl.keystore.location"] == str(sec.keystore)


def test_client_env_is_what_the_services_read(tmp_path):
    from services.common.settings import load
    sec = BrokerSecurity.create(tmp_path, users=("svc",))
    s = load(sec.client_env("svc"))
    assert (s.security_protocol, s.sasl_mechanism, s.sasl_username) == ("SASL_SSL", MECHANISM, "svc")
    assert s.sasl_password.get_secret_value() == sec.passwords["svc"]
    assert sec.passwords["svc"] not in str(s.public())
