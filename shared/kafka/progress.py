"""What the consume loop knows about its own health: dependencies away, partitions paused, and
how long records have waited without progress. `/readyz` and `/livez` read it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection

from shared import metrics


class Stalled(RuntimeError):
    """Records have waited longer than the service may wait without committing."""


class Progress:
    """Thread-safe health state of one consume loop (the HTTP thread reads it)."""

    def __init__(
        self,
        service: str,
        *,
        stall_limit_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._stall_limit_s = stall_limit_s
        self._clock = clock
        self._lock = threading.Lock()
        self._down: dict[str, str] = {}
        self._stalled_since: float | None = None
        self.last_iteration = clock()

    def went_round(self) -> None:
        """The loop is alive: it went round once more."""
        self.last_iteration = self._clock()

    def dependency_down(self, dependency: str, reason: str) -> None:
        """A dependency did not answer; records wait for it."""
        with self._lock:
            self._down[dependency] = reason
            if self._stalled_since is None:
                self._stalled_since = self._clock()
        metrics.DEPENDENCY_UP.labels(self._service, dependency).set(0)

    def progressed(self) -> None:
        """A batch was committed, or there was nothing to do: every dependency answered."""
        with self._lock:
            recovered, self._down = list(self._down), {}
            self._stalled_since = None
        for dependency in recovered:
            metrics.DEPENDENCY_UP.labels(self._service, dependency).set(1)
        metrics.STALLED_SECONDS.labels(self._service).set(0)

    def paused(self, partitions: Collection[object]) -> None:
        """Export how many partitions wait paused."""
        metrics.PAUSED_PARTITIONS.labels(self._service).set(len(partitions))

    def stalled_for(self) -> float:
        """Return how long records have waited without progress (0 when not waiting)."""
        with self._lock:
            since = self._stalled_since
        return 0.0 if since is None else self._clock() - since

    def raise_if_stalled(self) -> None:
        """Raise Stalled once the wait is longer than the limit (the process then exits)."""
        stalled = self.stalled_for()
        metrics.STALLED_SECONDS.labels(self._service).set(stalled)
        if stalled > self._stall_limit_s:
            raise Stalled(f"no progress for {stalled:.0f}s; waiting for {self.down() or 'kafka'}")

    def down(self) -> dict[str, str]:
        """Return the dependencies that are away, with the reason."""
        with self._lock:
            return dict(self._down)

    def ready_check(self) -> None:
        """A /readyz check: fails while any dependency is away, naming it and why."""
        down = self.down()
        if down:
            raise RuntimeError(
                "; ".join(f"{name} unavailable: {why}" for name, why in down.items())
            )

    def live_check(self, max_age_s: float) -> Callable[[], None]:
        """A /livez check: the loop went round lately and has not stalled past its limit."""

        def check() -> None:
            age = self._clock() - self.last_iteration
            if age > max_age_s:
                raise RuntimeError(f"loop last went round {age:.0f}s ago")
            stalled = self.stalled_for()
            if stalled > self._stall_limit_s:
                raise RuntimeError(f"no progress for {stalled:.0f}s")

        return check
