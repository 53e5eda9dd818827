"""Run several workers as child processes (``storystream worker all``, the demo).

Each worker stays its own process and consumer group; SIGTERM/SIGINT are passed
on so every child drains (and commits, except the aggregator, whose restart re-reads);
a child that dies unexpectedly is restarted, except one that exits with
``ACCESS_REFUSED_EXIT`` (the broker refused its TLS or SASL login: a restart logs in with the
same credentials and CA, so it cannot heal): the supervisor then stops every worker and exits
with that code, after one line naming the worker and the reason.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from devtools.proc import parent_death_signal, stop_requested
from services.common.access import ACCESS_REFUSED_EXIT


def worker_command(name: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", "worker", name]


@dataclass
class Child:
    name: str
    env: dict | None = None
    proc: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self, log_file=None) -> None:
        # a supervisor killed outright (SIGKILL, OOM) still stops its workers: they drain on SIGTERM
        self.proc = subprocess.Popen(worker_command(self.name), env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=log_file, stderr=log_file, preexec_fn=parent_death_signal(signal.SIGTERM))

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class GaveUp(RuntimeError):
    """The supervisor stops: a child will not run (``exit_code``: the supervisor's own)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Supervisor:
    def __init__(self, names: list[str], env: dict | None = None, log_file=None) -> None:
        self.children = [Child(n, env=env) for n in names]
        self.log_file = log_file
        self.stopping = False

    def start(self) -> "Supervisor":
        for c in self.children:
            c.start(self.log_file)
        return self

    def poll(self) -> None:
        """Restart children that died (at most 5 restarts a minute each); raise ``GaveUp`` when
        one keeps dying or the broker refused its login (no restart)."""
        now = time.monotonic()
        for c in self.children:
            if not self.stopping and not c.alive():
                if c.proc is not None and c.proc.returncode == ACCESS_REFUSED_EXIT:
                    raise GaveUp(f"worker {c.name} exited {ACCESS_REFUSED_EXIT}: the broker refused its login "
                                 "(credentials or CA); not restarting, fix the security settings",
                                 ACCESS_REFUSED_EXIT)
                c.restarts = [t for t in c.restarts if now - t < 60]
                if len(c.restarts) >= 5:
                    raise GaveUp(f"worker {c.name} keeps dying (exit {c.proc.returncode})")
                c.restarts.append(now)
                print(f"worker {c.name} exited ({c.proc.returncode}); restarting", file=sys.stderr, flush=True)
                c.start(self.log_file)

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping = True
        for c in self.children:
            if c.alive():
                c.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for c in self.children:
            if c.proc is None:
                continue
            try:
                c.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                c.proc.kill()
                c.proc.wait(5)

    def __enter__(self) -> "Supervisor":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def supervise(names: list[str]) -> int:
    sup = Supervisor(names, env=dict(os.environ))
    stop = stop_requested()
    sup.start()
    try:
        while not stop.is_set():
            sup.poll()
            time.sleep(0.5)
    except GaveUp as exc:
        print(f"supervisor: {exc}; stopping every worker", file=sys.stderr, flush=True)
        return exc.exit_code
    finally:
        sup.stop()
    return 0
