"""The benchmark's progress lines on stderr (stdout carries its table)."""
from __future__ import annotations

import sys
import time


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
