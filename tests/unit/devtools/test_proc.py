"""Children die with the process that started them, even when it is SIGKILLed (no orphaned
workers or brokers after a killed test run or demo; Linux, like the rest of the project), and
the stop signals of the foreground commands."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools.proc import stop_requested

ROOT = Path(__file__).resolve().parents[3]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]

PARENT_POPEN = f"""
import signal, subprocess, sys, time
from devtools.proc import parent_death_signal
p = subprocess.Popen({SLEEPER!r}, preexec_fn=parent_death_signal({{sig}}))
print(p.pid, flush=True)
time.sleep(120)
"""

PARENT_SUPERVISOR = f"""
import sys, time
import devtools.supervisor as sup
sup.worker_command = lambda name: {SLEEPER!r}
s = sup.Supervisor(["a", "b"]).start()
print(" ".join(str(c.proc.pid) for c in s.children), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"   # a zombie has exited
    except FileNotFoundError:
        return False


def _kill_parent_and_watch(script: str, wait: float = 10.0) -> tuple[list[int], list[int]]:
    """Run ``script`` as a parent, SIGKILL it once it printed its children's pids; return the
    pids and those still alive ``wait`` seconds later (sooner once all are gone)."""
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    pids: list[int] = []
    try:
        pids = [int(x) for x in parent.stdout.readline().split()]
        assert pids and all(_alive(p) for p in pids)
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.05)
        return pids, [p for p in pids if _alive(p)]
    finally:
        for p in pids:
            if _alive(p):
                os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("sig", ["signal.SIGTERM", "signal.SIGKILL"])
def test_a_child_dies_when_its_parent_is_killed(sig):
    pids, alive = _kill_parent_and_watch(PARENT_POPEN.format(sig=sig))
    assert len(pids) == 1 and alive == []


def test_without_it_the_child_would_outlive_its_parent():
    # the control: the same parent without the preexec leaves its child running
    pids, alive = _kill_parent_and_watch(PARENT_POPEN.replace(", preexec_fn=parent_death_signal({sig})", ""), wait=1.5)
    assert alive == pids


def test_supervised_workers_stop_when_the_supervisor_is_killed():
    pids, alive = _kill_parent_and_watch(PARENT_SUPERVISOR)
    assert len(pids) == 2 and alive == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_requested_is_set_by_the_stop_signals(sig):
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        stop = stop_requested()
        assert not stop.is_set()
        os.kill(os.getpid(), sig)
        deadline = time.monotonic() + 5
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stop.is_set()
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
