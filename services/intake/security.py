"""Per-connector credentials and rate limits (pure; clocks are injected).

An API key (`X-Api-Key`), or an HMAC-SHA256 signature over `timestamp + "." + body`
(`X-Aduan-Timestamp`, `X-Aduan-Signature`), refused when older than the allowed age or seen
before. The replay cache and the token buckets live in this process's memory: replicas share
nothing, so a signature replayed to another replica within the window is accepted there once
more, and each replica grants a connector its own full rate.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.intake.auth import API_KEY_HEADER, Unauthorized, authenticate
from services.intake.connectors import Connector

__all__ = ["API_KEY_HEADER", "Gate", "GateLimits", "RateLimited", "Unauthorized", "sign"]

TIMESTAMP_HEADER = "X-Aduan-Timestamp"
SIGNATURE_HEADER = "X-Aduan-Signature"
_SIGNATURE_PREFIX = "sha256="


class RateLimited(Exception):
    """The connector used up its rate; `retry_after_s` says when a token is back."""

    def __init__(self, connector_id: str, retry_after_s: float) -> None:
        super().__init__(f"connector {connector_id!r} is over its rate limit; retry later")
        self.retry_after_s = retry_after_s


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of `timestamp.body`: what a connector sends."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class ReplayCache:
    """Signatures seen within the allowed age; bounded, oldest forgotten first."""

    def __init__(self, capacity: int) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def first_time(self, signature: str, now: float, max_age_s: float) -> bool:
        """Record `signature`; return False when it was seen within `max_age_s`."""
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - max_age_s:
                self._seen.popitem(last=False)  # too old to be accepted again anyway
            if signature in self._seen:
                return False
            self._seen[signature] = now
            if len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
            return True


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """One token bucket per connector."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def take(self, connector_id: str, rate_per_s: float, burst: int) -> None:
        """Take one token; raise RateLimited when the bucket is empty."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.setdefault(connector_id, _Bucket(float(burst), now))
            bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.at) * rate_per_s)
            bucket.at = now
            if bucket.tokens < 1:
                raise RateLimited(connector_id, (1 - bucket.tokens) / rate_per_s)
            bucket.tokens -= 1


@dataclass(frozen=True)
class GateLimits:
    """The numbers of the gate: signature age, replay memory, default rate."""

    max_age_s: float = 300.0
    replay_capacity: int = 100_000
    rate_per_s: float = 20.0
    burst: int = 40


class Gate:
    """Tell which connector sent a request, and whether it may send now."""

    def __init__(
        self,
        connectors: Mapping[str, Connector],
        limits: GateLimits | None = None,
        clock: Callable[[], float] = time.time,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.connectors = dict(connectors)
        self._keys = {i: c.api_key for i, c in self.connectors.items() if c.api_key is not None}
        self._limits = limits or GateLimits()
        self._clock = clock
        self._replays = ReplayCache(self._limits.replay_capacity)
        self._limiter = limiter or RateLimiter()

    def by_key(self, presented: str | None) -> str:
        """Return the connector whose API key was presented (constant time per key)."""
        if not presented:
            raise Unauthorized(f"the {API_KEY_HEADER} header is required, or an HMAC signature")
        return authenticate(self._keys, presented)

    def by_signature(self, timestamp: str | None, signature: str | None, body: bytes) -> str:
        """Return the connector whose secret signed `timestamp.body`; refuse old or replayed."""
        if not timestamp or not signature:
            raise Unauthorized(f"both {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required")
        now = self._clock()
        self._check_age(timestamp, now)
        given = signature.removeprefix(_SIGNATURE_PREFIX).lower()
        matched = self._signer(given, timestamp, body)
        if not self._replays.first_time(given, now, 2 * self._limits.max_age_s):
            raise Unauthorized("this signature was already used: a replayed request")
        return matched

    def throttle(self, connector_id: str) -> None:
        """Take one token of the connector's bucket; raise RateLimited when it is empty."""
        connector = self.connectors[connector_id]
        rate = connector.rate_per_s or self._limits.rate_per_s
        self._limiter.take(connector_id, rate, connector.burst or self._limits.burst)

    def region_of(self, connector_id: str) -> str | None:
        """Return the region the connector belongs to, if configured."""
        known = self.connectors.get(connector_id)
        return known.region if known else None

    def _check_age(self, timestamp: str, now: float) -> None:
        if not timestamp.isdigit():
            raise Unauthorized(f"{TIMESTAMP_HEADER} must be Unix seconds")
        age = now - int(timestamp)
        if abs(age) > self._limits.max_age_s:
            limit = math.floor(self._limits.max_age_s)
            raise Unauthorized(f"{TIMESTAMP_HEADER} is more than {limit} s away from now")

    def _signer(self, given: str, timestamp: str, body: bytes) -> str:
        matched: str | None = None
        for connector_id, connector in self.connectors.items():
            secret = connector.hmac_secret
            if secret is None:
                continue
            expected = sign(secret.get_secret_value(), timestamp, body)
            if hmac.compare_digest(given.encode(), expected.encode()):
                matched = connector_id
        if matched is None:
            raise Unauthorized(f"{SIGNATURE_HEADER} does not match the body for any connector")
        return matched
