"""Built consume services (shared.service.ConsumeService) running their loops in threads.

The `run_in_background` fixture (tests/conftest.py) hands out `BackgroundServices.start` and
calls `stop_all()` at teardown: every loop is asked to stop, its thread joined, its clients
closed; a thread that does not end, or a loop that died of an exception, fails the test.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: importing it costs a second
    from shared.service import ConsumeService


@dataclass
class _Running:
    name: str
    service: ConsumeService
    thread: threading.Thread
    errors: list[BaseException] = field(default_factory=list)


class BackgroundServices:
    """Start services' loops in daemon threads; stop, join and close them all at the end."""

    def __init__(self) -> None:
        self._running: list[_Running] = []

    def start(self, service: ConsumeService, name: str = "service") -> ConsumeService:
        """Run `service.loop.run()` in a thread named `<name>-loop`; return the service."""
        errors: list[BaseException] = []

        def run() -> None:
            try:
                service.loop.run()
            except BaseException as exc:  # reported by stop_all, not lost with the thread
                errors.append(exc)

        thread = threading.Thread(target=run, name=f"{name}-loop", daemon=True)
        self._running.append(_Running(name, service, thread, errors))
        thread.start()
        return service

    def stop_all(self, timeout: float = 30.0) -> None:
        """Stop every loop, join each thread (up to `timeout` s), close each service; then fail
        if a thread is still running or a loop raised."""
        for running in self._running:
            running.service.loop.stop()
        problems: list[str] = []
        for running in self._running:
            running.thread.join(timeout=timeout)
            try:
                running.service.close()
            except Exception as exc:
                problems.append(f"{running.name}: close() raised {exc!r}")
            if running.thread.is_alive():
                problems.append(f"{running.name}: the loop did not stop within {timeout:g} s")
            problems.extend(f"{running.name}: the loop raised {e!r}" for e in running.errors)
        self._running.clear()
        assert not problems, "; ".join(problems)
