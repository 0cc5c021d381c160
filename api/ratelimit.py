"""A token bucket per consumer: `rate_per_minute` sustained, `burst` at once; past it, 429."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, rate_per_minute: int, burst: int, clock=time.monotonic):
        if rate_per_minute < 1 or burst < 1:
            raise ValueError("rate and burst must be at least 1")
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """None when the request may go on, else the seconds until the next token."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
