"""When to poll a feed next: an adaptive interval, the server's hints, back-off on errors.

* The interval starts at the feed's configured one (else the default) and adapts: halved after
  a poll that found new items (the feed is busy), 1.5 times longer after one that found none or
  was answered ``304``, always within [min, max].
* The server's hints set a floor: ``Cache-Control: max-age`` and RSS ``<ttl>``; ``Retry-After``
  (on 429/503) is waited out exactly.
* Failures back off exponentially from the interval: interval * 2^errors, at most max.
"""
from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Timing:
    default: float
    minimum: float
    maximum: float

    def clamp(self, seconds: float) -> float:
        return max(self.minimum, min(self.maximum, seconds))

    def start(self, configured: float | None) -> float:
        return self.clamp(configured or self.default)

    def adapt(self, interval: float, new_items: int) -> float:
        return self.clamp(interval * (0.5 if new_items else 1.5))

    def after_success(self, interval: float, hint: float | None) -> float:
        """Seconds until the next poll: the interval, or the server's hint when longer."""
        return min(self.maximum, max(interval, hint or 0.0))

    def after_error(self, interval: float, errors: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(self.maximum, max(retry_after, self.minimum))
        return min(self.maximum, interval * 2 ** max(0, min(errors, 20)))


def max_age(headers: httpx.Headers) -> float | None:
    """``Cache-Control: max-age`` (or ``s-maxage``) in seconds; 0 with ``no-store``/``no-cache``."""
    value = headers.get("cache-control", "")
    best = None
    for part in value.lower().split(","):
        key, _, arg = part.strip().partition("=")
        if key in ("max-age", "s-maxage") and arg.strip().strip('"').isdigit():
            best = max(best or 0.0, float(arg.strip().strip('"')))
        elif key in ("no-store", "no-cache"):
            best = best or 0.0
    return best
