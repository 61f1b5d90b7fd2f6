"""The circuit breaker: opens on consecutive transient failures, probes after a cool-down."""

from __future__ import annotations

import pytest

from shared.breaker import BreakerState, CircuitBreaker


def opened(at: float = 100.0) -> CircuitBreaker:
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30)
    for _ in range(3):
        breaker.record_failure(at)
    return breaker


def test_closed_breaker_lets_calls_through_below_the_threshold() -> None:
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30)
    breaker.record_failure(0)
    breaker.record_failure(1)

    assert breaker.state(2) is BreakerState.CLOSED
    assert breaker.allow(2)


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30)
    breaker.record_failure(0)
    breaker.record_failure(1)
    breaker.record_success()
    breaker.record_failure(2)
    breaker.record_failure(3)

    assert breaker.state(4) is BreakerState.CLOSED


def test_opens_after_the_threshold_and_refuses_until_the_cool_down() -> None:
    breaker = opened(at=100)

    assert breaker.state(100) is BreakerState.OPEN
    assert not breaker.allow(129.9)


def test_half_open_after_the_cool_down_allows_exactly_one_trial() -> None:
    breaker = opened(at=100)

    assert breaker.state(130) is BreakerState.HALF_OPEN
    assert breaker.allow(130)
    assert not breaker.allow(130.1)  # the trial is still out


def test_successful_trial_closes() -> None:
    breaker = opened(at=100)
    breaker.allow(130)
    breaker.record_success()

    assert breaker.state(130) is BreakerState.CLOSED
    assert breaker.allow(130)


def test_failed_trial_opens_for_another_cool_down() -> None:
    breaker = opened(at=100)
    breaker.allow(130)
    breaker.record_failure(131)

    assert breaker.state(160) is BreakerState.OPEN
    assert breaker.state(161) is BreakerState.HALF_OPEN


@pytest.mark.parametrize(("threshold", "cooldown"), [(0, 1.0), (1, -1.0)])
def test_rejects_nonsense_settings(threshold: int, cooldown: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=threshold, cooldown_s=cooldown)
