"""deploy/local/stack.sh runs the local stack under supervisord: a killed program comes back,
and `status` shows its restart. Runs a stand-in program (an HTTP server) in a scratch state
directory, so it neither needs nor disturbs the services of a `make run`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy" / "local" / "stack.sh"

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for stack.sh with one program, `web`; stops supervisord afterwards."""
    port = _free_port()
    programs = tmp_path / "programs"
    programs.write_text(
        f"web|{sys.executable} -m http.server {port} --bind 127.0.0.1|http://127.0.0.1:{port}/\n"
    )
    env = {
        **os.environ,
        "ADUAN_STACK_DIR": str(tmp_path / "state"),
        "ADUAN_STACK_PROGRAMS": str(programs),
        "ADUAN_START_SECS": "1",
    }
    try:
        yield env
    finally:
        subprocess.run([STACK, "down"], env=env, check=False, timeout=60)


def _stack(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STACK, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _web_pid(env: dict[str, str]) -> int:
    out = _stack(env, "ctl", "pid", "web").stdout.strip()
    return int(out) if out.isdigit() else 0


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    wait_until(condition, timeout=timeout, interval=0.2)


def _running(env: dict[str, str], restarts: int) -> bool:
    """The web program counts as started once it stayed up `startsecs` (STARTING before)."""
    status = _stack(env, "status").stdout
    return bool(re.search(rf"web\s+RUNNING\s+pid \d+, uptime .*restarts: {restarts}", status))


def test_a_killed_program_is_restarted_and_the_restart_is_visible(
    stack: dict[str, str],
) -> None:
    up = _stack(stack, "up")
    assert up.returncode == 0, up.stderr
    assert "web ready" in up.stdout
    _wait_for(lambda: _running(stack, restarts=0))
    first = _web_pid(stack)
    assert first > 0

    os.kill(first, signal.SIGKILL)

    _wait_for(lambda: _web_pid(stack) not in (0, first))
    _wait_for(lambda: _running(stack, restarts=1))
    log = (Path(stack["ADUAN_STACK_DIR"]) / "logs" / "supervisord.log").read_text()
    assert "exited: web (terminated by SIGKILL" in log


def test_down_stops_the_programs_and_supervisord(stack: dict[str, str]) -> None:
    assert _stack(stack, "up").returncode == 0
    supervisord = int(_stack(stack, "ctl", "pid").stdout.strip())
    web = _web_pid(stack)

    down = _stack(stack, "down")

    assert down.returncode == 0, down.stderr
    for pid in (web, supervisord):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert _stack(stack, "status").returncode == 3
