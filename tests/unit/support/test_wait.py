"""wait_until: returns the first truthy result, or fails with the message after the timeout."""

from __future__ import annotations

import pytest

from tests.support.wait import WaitTimeout, wait_until


def test_returns_the_first_truthy_value() -> None:
    answers = iter([None, 0, "ready"])
    assert wait_until(lambda: next(answers), timeout=5, interval=0) == "ready"


def test_times_out_with_the_message() -> None:
    with pytest.raises(WaitTimeout, match="the broker"):
        wait_until(lambda: False, timeout=0.05, interval=0.01, message="the broker")


def test_ignored_errors_count_as_not_yet_and_are_reported() -> None:
    def probe() -> bool:
        raise ConnectionError("refused")

    with pytest.raises(WaitTimeout, match="ConnectionError: refused"):
        wait_until(probe, timeout=0.05, interval=0.01, ignore=(ConnectionError,))


def test_other_errors_propagate_at_once() -> None:
    def probe() -> bool:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        wait_until(probe, timeout=5, interval=0)


def test_a_timeout_is_a_test_failure() -> None:
    assert issubclass(WaitTimeout, AssertionError)
