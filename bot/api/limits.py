"""Per-client rate limits on the routes that answer (each answer costs a model call).

A token bucket per client: `per_minute` answers in a burst, refilled evenly over the
minute. A client is its API key when it sends one (hashed: keys never sit in memory
under their own name here), else its address. Over the limit: 429 with Retry-After.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from fastapi import HTTPException, Request, status

# Buckets kept at most; past it the fullest (longest idle) are forgotten first.
_MAX_CLIENTS = 10_000


class RateLimiter:
    """Token buckets by client; `take` says how long to wait, or 0 to go ahead."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one answer for `client`; seconds until one is free when none is (0 if ok)."""
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                self._forget_idle()
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate

    def _forget_idle(self) -> None:
        if len(self._buckets) > _MAX_CLIENTS:
            idle = sorted(self._buckets, key=lambda c: self._buckets[c][1])
            for client in idle[: len(self._buckets) - _MAX_CLIENTS]:
                del self._buckets[client]


def client_of(request: Request) -> str:
    """Who is asking: a hash of the bearer key when one is sent, else the address."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return "key:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:16]
    return "addr:" + (request.client.host if request.client else "unknown")


def rate_limit(request: Request) -> None:
    """Let the request through, or refuse it with 429 and Retry-After."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    wait = limiter.take(client_of(request))
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many questions: at most {limiter.per_minute} a minute; "
            f"try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
