"""Child processes that do not outlive the process that started them (Linux)."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
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
