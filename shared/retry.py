"""Exponential backoff with full jitter, and what counts as a transient error."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx
import pymongo.errors


class TransientError(Exception):
    """A hiccup worth retrying: the same input may succeed a moment later."""


# Errors that mean "try again", whatever raised them. Anything else is treated as permanent.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionError,
    TimeoutError,
    pymongo.errors.AutoReconnect,
    pymongo.errors.NetworkTimeout,
    pymongo.errors.ServerSelectionTimeoutError,
    httpx.TransportError,
)


@dataclass(frozen=True)
class Backoff:
    """Bounded retries: `attempts` tries in all, waits growing from `base_s` up to `cap_s`."""

    attempts: int = 5
    base_s: float = 0.2
    cap_s: float = 10.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Return the wait before retry number `attempt` (1-based): full jitter, so retrying
        clients spread out instead of hammering a recovering target together."""
        ceiling = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
        return (rng or random).uniform(0, ceiling)
