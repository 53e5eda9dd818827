"""The supervisor restarts a dead worker, but not one the broker refused (exit 3: a restart logs
in with the same credentials and CA): it stops everything and exits 3 with one line naming the
worker and the reason.  The children are tiny ``python -c`` processes; no Kafka."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import devtools.supervisor as sup
from services.common.access import ACCESS_REFUSED_EXIT

ROOT = Path(__file__).resolve().parents[3]


def _exits(code: int) -> list[str]:
    return [sys.executable, "-c", f"raise SystemExit({code})"]


def _wait_dead(s: sup.Supervisor) -> None:
    deadline = time.monotonic() + 20
    while any(c.alive() for c in s.children) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_refused_login_is_not_restarted(monkeypatch):
    monkeypatch.setattr(sup, "worker_command", lambda name: _exits(ACCESS_REFUSED_EXIT))
    s = sup.Supervisor(["quotes"]).start()
    first = s.children[0].proc
    _wait_dead(s)
    with pytest.raises(sup.GaveUp) as info:
        s.poll()
    assert info.value.exit_code == ACCESS_REFUSED_EXIT
    assert "quotes" in str(info.value) and "refused its login" in str(info.value)
    assert s.children[0].proc is first and s.children[0].restarts == []      # not started again


def test_any_other_exit_is_restarted_until_it_keeps_dying(monkeypatch):
    monkeypatch.setattr(sup, "worker_command", lambda name: _exits(1))
    s = sup.Supervisor(["quotes"]).start()
    for restart in range(5):
        _wait_dead(s)
        s.poll()
        assert len(s.children[0].restarts) == restart + 1
    _wait_dead(s)
    with pytest.raises(sup.GaveUp) as info:
        s.poll()
    assert info.value.exit_code == 1 and "keeps dying" in str(info.value)
    s.stop()


SUPERVISE = f"""
import sys
import devtools.supervisor as sup
sup.worker_command = lambda name: (["{sys.executable}", "-c", "raise SystemExit({ACCESS_REFUSED_EXIT})"]
                                   if name == "entities" else ["{sys.executable}", "-c", "import time; time.sleep(300)"])
sys.exit(sup.supervise(["quotes", "entities"]))
"""


def test_supervise_stops_every_worker_and_exits_3_with_one_line():
    # the sibling sleeps 300 s: supervise returns within the timeout only if it stopped it
    proc = subprocess.run([sys.executable, "-c", SUPERVISE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == ACCESS_REFUSED_EXIT, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("supervisor: worker entities exited 3: the broker refused its login"), lines
    assert "); restarting" not in proc.stderr
