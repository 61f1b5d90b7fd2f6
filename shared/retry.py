"""Capped exponential backoff with full jitter, and which errors mean "a dependency is away".

An unavailable dependency is not the record's fault: the consume loop waits and tries the same
records again, without limit, and never dead-letters them. `dependency_of` names the dependency
an error points at, for the loop's pause, its `/readyz` reason and the dependency metric.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx
import pymongo.errors
from kafka.errors import KafkaError

MONGO = "mongo"
KAFKA = "kafka"


class TransientError(Exception):
    """A dependency is away or busy: the same input may succeed a moment later.

    `dependency` names it (e.g. "lapor", "mongo"); subclasses set it as a class attribute.
    """

    dependency = "unknown"

    def __init__(self, message: str = "", *, dependency: str | None = None) -> None:
        super().__init__(message)
        if dependency is not None:
            self.dependency = dependency


# pymongo's "cannot reach the server" family. OperationFailure and DuplicateKeyError are not
# in it: a server that answers with a refusal is up.
_MONGO_AWAY = (pymongo.errors.AutoReconnect, pymongo.errors.ServerSelectionTimeoutError)


def dependency_of(exc: BaseException) -> str | None:
    """Return the name of the dependency `exc` says is unavailable, or None when it does not."""
    if isinstance(exc, TransientError):
        return exc.dependency
    if isinstance(exc, (*_MONGO_AWAY, pymongo.errors.NetworkTimeout)):
        return MONGO
    if isinstance(exc, KafkaError):
        return KAFKA
    if isinstance(exc, httpx.TransportError):
        return "http"
    if isinstance(exc, ConnectionError | TimeoutError):
        return "network"
    return None


@dataclass(frozen=True)
class Backoff:
    """Waits growing from `base_s` and capped at `cap_s`, with full jitter."""

    base_s: float = 0.2
    cap_s: float = 10.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Return the wait before retry number `attempt` (1-based): full jitter, so retrying
        clients spread out instead of hammering a recovering target together."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(attempt - 1, 30))
        return (rng or random).uniform(0, ceiling)
