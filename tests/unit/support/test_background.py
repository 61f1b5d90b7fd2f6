"""BackgroundServices: loops run in threads; stop_all stops, joins and closes them, and fails
when a loop raised or did not stop."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from shared.service import ConsumeService
from tests.support.background import BackgroundServices


class FakeLoop:
    """Runs until stopped, or raises `error` at once; `obey_stop=False` ignores stop()."""

    def __init__(self, error: Exception | None = None, obey_stop: bool = True) -> None:
        self.error, self.obey_stop = error, obey_stop
        self.running, self.stopped, self.release = (threading.Event() for _ in range(3))

    def run(self) -> None:
        self.running.set()
        if self.error:
            raise self.error
        (self.stopped if self.obey_stop else self.release).wait(timeout=30)

    def stop(self) -> None:
        self.stopped.set()


def service(loop: FakeLoop, closed: list[str], name: str) -> ConsumeService:
    fake: Any = loop
    return ConsumeService(loop=fake, live={}, ready={}, close=lambda: closed.append(name))


def test_runs_each_loop_in_a_thread_then_stops_joins_and_closes_all() -> None:
    loops, closed = [FakeLoop(), FakeLoop()], []
    services = BackgroundServices()
    started = [
        services.start(service(loop, closed, f"s{n}"), name=f"s{n}") for n, loop in enumerate(loops)
    ]
    assert all(loop.running.wait(timeout=5) for loop in loops)
    assert [s.loop for s in started] == loops
    services.stop_all()
    assert closed == ["s0", "s1"]


def test_a_loop_that_raised_fails_stop_all_with_its_error() -> None:
    loop, closed = FakeLoop(error=RuntimeError("kafka gone")), []
    services = BackgroundServices()
    services.start(service(loop, closed, "router"), name="router")
    with pytest.raises(
        AssertionError, match=r"router: the loop raised RuntimeError\('kafka gone'\)"
    ):
        services.stop_all()
    assert closed == ["router"]


def test_a_loop_that_does_not_stop_fails_stop_all() -> None:
    loop, closed = FakeLoop(obey_stop=False), []
    services = BackgroundServices()
    services.start(service(loop, closed, "stuck"), name="stuck")
    assert loop.running.wait(timeout=5)
    try:
        with pytest.raises(AssertionError, match=r"stuck: the loop did not stop within 0\.1 s"):
            services.stop_all(timeout=0.1)
        assert closed == ["stuck"]
    finally:
        loop.release.set()
