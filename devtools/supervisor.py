"""Run several workers as child processes (``storystream worker all``, the demo).

Each worker stays its own process and consumer group; SIGTERM/SIGINT are passed
on so every child drains (and commits, except the aggregator, whose restart re-reads);
a child that dies unexpectedly is restarted.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from devtools.proc import parent_death_signal, stop_requested


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
        """Restart children that died (at most 5 restarts a minute each)."""
        now = time.monotonic()
        for c in self.children:
            if not self.stopping and not c.alive():
                c.restarts = [t for t in c.restarts if now - t < 60]
                if len(c.restarts) >= 5:
                    raise RuntimeError(f"worker {c.name} keeps dying (exit {c.proc.returncode})")
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
    finally:
        sup.stop()
    return 0
