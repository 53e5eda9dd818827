"""``storystream broker --sasl-ssl``'s material (no broker): kept for the storage it formatted,
new with --fresh, refused for a storage formatted without it; the printed settings hold no
password."""
from __future__ import annotations

import subprocess

import pytest

from devtools.broker.security import for_cli


def test_the_material_is_kept_renewed_with_fresh_and_refused_for_a_plain_storage(tmp_path):
    broker = tmp_path / "broker"
    with pytest.raises(SystemExit, match="formatted without --sasl-ssl"):
        for_cli(broker, fresh=False, formatted=True)
    first = for_cli(broker, fresh=False, formatted=False)
    assert first.directory == tmp_path / "broker-security"
    kept = for_cli(broker, fresh=False, formatted=True)
    assert kept.passwords == first.passwords and kept.ca_file == first.ca_file
    renewed = for_cli(broker, fresh=True, formatted=True)
    assert renewed.passwords["storystream"] != first.passwords["storystream"]


def test_the_export_lines_read_the_password_from_its_file(tmp_path):
    sec = for_cli(tmp_path / "my broker", fresh=False, formatted=False)     # a path needing quotes
    lines = sec.client_exports("127.0.0.1:1234,127.0.0.1:1235")
    password = sec.passwords["storystream"]
    assert all(password not in line for line in lines)
    out = subprocess.run(["bash", "-c", "\n".join(lines) + '\nprintf "%s|%s" "$KAFKA_SASL_PASSWORD" "$KAFKA_BOOTSTRAP"'],
                         capture_output=True, text=True, check=True).stdout
    assert out == f"{password}|127.0.0.1:1234,127.0.0.1:1235"
