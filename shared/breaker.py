"""A circuit breaker per target, pure: the caller passes the time, so tests need no clock.

closed: calls pass; `failure_threshold` consecutive transient failures open it.
open: calls are refused until `cooldown_s` has passed, then one trial call is let through
(half-open). The trial's success closes the breaker, its failure opens it for another cool-down;
any other end of the trial (`release`) frees the slot for the next one.
"""

from __future__ import annotations

from enum import IntEnum


class BreakerState(IntEnum):
    """Numbered for the state gauge."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitBreaker:
    """Stops calls to a target that keeps failing, and probes it again after a cool-down."""

    def __init__(self, *, failure_threshold: int, cooldown_s: float) -> None:
        if failure_threshold < 1 or cooldown_s < 0:
            raise ValueError("failure_threshold must be >= 1 and cooldown_s >= 0")
        self._threshold = failure_threshold
        self._cooldown_s = cooldown_s
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def state(self, now: float) -> BreakerState:
        """Return the state at time `now` (monotonic seconds)."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if now - self._opened_at >= self._cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self, now: float) -> bool:
        """Return whether a call may go out now; in half-open, only one trial at a time."""
        state = self.state(now)
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        """The target answered: close the breaker."""
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def release(self) -> None:
        """The call ended without telling whether the target is up (e.g. our own store failed
        around it): free the half-open trial slot, change nothing else."""
        self._trial_running = False

    def record_failure(self, now: float) -> None:
        """The target failed transiently: count it, and open on the threshold or a failed trial."""
        self._failures += 1
        if self._trial_running or self._failures >= self._threshold:
            self._opened_at = now
        self._trial_running = False
