"""Faults on a running, supervised pipeline (`make test-faults`): after each one, every accepted
complaint is assigned once, resolved, at LAPOR! once, and nothing is dead-lettered."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest

from tests.faults.stack import SERVICES, FaultStack
from tests.faults.traffic import Traffic, assert_pipeline_whole
from tests.support.wait import wait_until

# A fault, the traffic around it and the catch-up take minutes, not the default 5.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


def _pause(seconds: float) -> None:
    """Keep the fault in place this long: the fault's length is the test's input, not a wait
    for something to happen (those are all `wait_until`)."""
    threading.Event().wait(seconds)


def _during(stack: FaultStack, tag: str, fault: Callable[[], None]) -> Traffic:
    """Run traffic, break something a third of the way in, mend it, let the traffic finish."""
    traffic = Traffic(stack, tag).start()
    wait_until(lambda: len(traffic.accepted) >= traffic.count // 3, timeout=120, message="traffic")
    fault()
    traffic.wait_done()
    return traffic


def test_kafka_stopped_for_30_s(stack: FaultStack) -> None:
    def outage() -> None:
        stack.kafka.stop()
        _pause(30)
        stack.kafka.restart()

    traffic = _during(stack, "kafka", outage)
    assert_pipeline_whole(stack, traffic.accepted)


def test_mongo_stopped_for_30_s(stack: FaultStack) -> None:
    def outage() -> None:
        stack.ferret.stop()
        _pause(30)
        stack.ferret.start()

    traffic = _during(stack, "mongo", outage)
    assert_pipeline_whole(stack, traffic.accepted)


def test_lapor_down_for_two_minutes(stack: FaultStack) -> None:
    # The contract server answers 503 to every call for two minutes (its records stay: the
    # real LAPOR! does not forget what it holds when it is down).
    def outage() -> None:
        httpx.post(
            f"{stack.url('lapor')}/_contract/faults", json={"outage_s": 120}
        ).raise_for_status()
        _pause(120)

    traffic = _during(stack, "lapor", outage)
    assert_pipeline_whole(stack, traffic.accepted)


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_killed_mid_stream_is_restarted_and_loses_nothing(
    stack: FaultStack, name: str
) -> None:
    def crash() -> None:
        old = stack.kill(name)
        wait_until(lambda: stack.restarted(name, old), timeout=60, message=f"{name} restarted")

    traffic = _during(stack, f"kill-{name}", crash)
    assert_pipeline_whole(stack, traffic.accepted)
