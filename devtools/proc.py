"""Child processes that do not outlive the process that started them (Linux), and the
stop signals of the foreground commands that start them."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
from typing import Callable

_PR_SET_PDEATHSIG = 1


def parent_death_signal(sig: int = signal.SIGTERM, *, new_session: bool = False) -> Callable[[], None]:
    """A ``preexec_fn`` for ``subprocess.Popen``: the child gets ``sig`` when its parent dies,
    even by SIGKILL (a killed test run or demo leaves no worker or broker behind).

    The kernel tracks the *thread* that forked: start children from a long-lived thread (the
    main one).  A parent that died before the child armed the signal is caught by comparing
    the parent's pid.  Elsewhere than Linux this does nothing but the optional ``setsid``."""
    parent = os.getpid()

    def preexec() -> None:  # pragma: no cover - runs in the child, between fork and exec
        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)
        if new_session:
            os.setsid()
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return preexec


def stop_requested(*signals: int) -> threading.Event:
    """An event that SIGTERM and SIGINT (or ``signals``) set, through this process's handlers
    for them: the foreground commands poll it to stop their children in order."""
    event = threading.Event()

    def handler(signum, frame) -> None:
        event.set()

    for sig in signals or (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    return event
