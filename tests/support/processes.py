"""Services as real processes in tests: `python <args>` from the repository root with its own
environment and log file; wait until it answers on HTTP; stop it with SIGTERM for its exit code.

    with ServiceProcess.start("router", ["-m", "services.router"], log=tmp_path / "router.log",
                              env={...}, ready_url=f"http://127.0.0.1:{port}/readyz") as router:
        router.wait_ready()
        ...
        assert router.stop() == 0

Leaving the `with` block kills whatever still runs; when the block fails, the log's tail is
printed (pytest shows it with the failure).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServiceProcess:
    """One running `python <args>`, its stdout and stderr appended to `log`."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    ready_url: str | None = None

    @classmethod
    def start(
        cls,
        name: str,
        args: Sequence[str],
        *,
        log: Path,
        env: Mapping[str, str] | None = None,
        ready_url: str | None = None,
    ) -> Self:
        """Spawn `python <args>` in the repository root with os.environ updated by `env`."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:  # the child has its own handle; restarts append
            popen = subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return cls(name, popen, log, ready_url)

    def wait_ready(self, timeout: float = 60.0, interval: float = 0.2) -> None:
        """Wait until `ready_url` answers 200; fail at once, with the log's tail, if it exits."""
        url = self.ready_url
        assert url is not None, f"{self.name}: no ready_url to wait for"

        def ready() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.popen.returncode} before it was ready; "
                    f"its log ends:\n{self.log_tail()}"
                )
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.RequestError:
                return False

        wait_until(ready, timeout=timeout, interval=interval, message=f"{self.name} at {url}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (the service finishes its work and exits), SIGKILL if it hangs past
        `timeout`; return the exit code (negative: the signal that ended it)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait(timeout=10)

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit by itself; return its exit code."""
        return self.popen.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL it if it still runs, and reap it."""
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            print(f"--- {self.name} ({self.log}) log tail ---\n{self.log_tail()}")
        self.kill()
