"""The consume loop's policy numbers, its Unavailable error, and the log context of a failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared.errors import describe
from shared.retry import Backoff, dependency_of


@dataclass(frozen=True)
class LoopPolicy:
    """The error policy's numbers; the same meaning in every consumer."""

    backoff: Backoff = field(default_factory=Backoff)
    stall_limit_s: float = 300.0
    idle_probe_s: float = 5.0
    poll_timeout_ms: int = 500
    commit_timeout_ms: int = 10_000
    tick_interval_s: float = 5.0


class Unavailable(Exception):
    """A dependency did not answer; the batch waits for it (never dead-lettered)."""

    def __init__(self, dependency: str, cause: BaseException) -> None:
        super().__init__(f"{dependency}: {describe(cause, 300)}")
        self.dependency = dependency


R = TypeVar("R")


def unavailable_on_dependency(action: Callable[[], R]) -> R:
    """Run `action`; an error naming a dependency becomes Unavailable (the batch waits)."""
    try:
        return action()
    except Exception as exc:
        dependency = dependency_of(exc)
        if dependency is None:
            raise
        raise Unavailable(dependency, exc) from exc


def why(exc: BaseException) -> dict[str, Any]:
    """The log fields of an error."""
    return {"error": describe(exc, 500), "error_class": type(exc).__name__}


def context_of(record: Any, exc: BaseException) -> dict[str, Any]:
    """The log fields of a record that failed."""
    return {
        "complaint_id": record.key.decode(errors="replace") if record.key else None,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        **why(exc),
    }
