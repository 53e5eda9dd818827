"""CPU time and memory of processes, from /proc (Linux)."""
from __future__ import annotations

import os

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of ``pid`` (all its threads), in seconds; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    # the command name (field 2) may contain spaces: split after its closing parenthesis
    rest = data[data.rindex(")") + 2:].split()
    utime, stime = int(rest[11]), int(rest[12])  # fields 14 and 15
    return (utime + stime) / _TICK


def status_kb(pid: int, field: str) -> int | None:
    """A ``kB`` field of /proc/<pid>/status (VmHWM = peak RSS, VmRSS = current RSS)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_mb(pid: int) -> float | None:
    kb = status_kb(pid, "VmHWM")
    return None if kb is None else round(kb / 1024, 1)


def snapshot(pids: dict[str, int]) -> dict[str, float | None]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def delta(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, float | None]:
    out = {}
    for name, a in after.items():
        b = before.get(name)
        out[name] = None if a is None or b is None else round(a - b, 3)
    return out


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, all processes), from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return (sum(parts[:8]) - idle) / _TICK
