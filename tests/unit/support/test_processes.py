"""ServiceProcess: waits until the process answers, fails at once with its log when it exits
first, stops it with SIGTERM (SIGKILL when it hangs) and returns the exit code."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.support.processes import ServiceProcess, free_port
from tests.support.wait import wait_until

# Children that run until a signal ends them, having said they are set up.
IGNORES_SIGTERM = (
    "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ignoring SIGTERM', flush=True); signal.pause()"
)
PRINTS_ENV = "import os, signal; print(os.environ['PROBE'], 'PATH' in os.environ, flush=True); signal.pause()"


def test_waits_until_ready_then_sigterm_ends_it(tmp_path: Path) -> None:
    port = free_port()
    with ServiceProcess.start(
        "web",
        ["-m", "http.server", "--bind", "127.0.0.1", str(port)],
        log=tmp_path / "web.log",
        ready_url=f"http://127.0.0.1:{port}/",
    ) as web:
        web.wait_ready(timeout=30)
        assert web.stop(timeout=10) == -signal.SIGTERM
    assert "GET / HTTP" in web.log_text()  # stderr goes to the log


def test_exit_before_ready_fails_at_once_with_the_log_tail(tmp_path: Path) -> None:
    broken = ServiceProcess.start(
        "broken",
        ["-c", "import sys; print('config invalid: X_PORT'); sys.exit(3)"],
        log=tmp_path / "broken.log",
        ready_url=f"http://127.0.0.1:{free_port()}/readyz",
    )
    with broken, pytest.raises(AssertionError, match=r"(?s)broken exited with 3\b.*X_PORT"):
        broken.wait_ready(timeout=30)


def test_a_process_that_ignores_sigterm_is_killed(tmp_path: Path) -> None:
    with ServiceProcess.start("stubborn", ["-c", IGNORES_SIGTERM], log=tmp_path / "s.log") as proc:
        wait_until(lambda: "ignoring SIGTERM" in proc.log_text(), timeout=10)
        assert proc.stop(timeout=0.5) == -signal.SIGKILL


def test_env_is_added_to_ours_and_leaving_the_block_kills_it(tmp_path: Path) -> None:
    log = tmp_path / "e.log"
    with ServiceProcess.start("env", ["-c", PRINTS_ENV], log=log, env={"PROBE": "p-1"}) as proc:
        wait_until(lambda: "p-1 True" in proc.log_text(), timeout=10)
    assert proc.popen.returncode == -signal.SIGKILL
