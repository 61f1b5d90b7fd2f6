"""Helpers for the sla's integration tests: per-test topics, group, database and port, the
worker as a real process. (No shared tests/conftest.py fixtures
existed when these were written.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
from kafka import KafkaAdminClient
from pymongo import MongoClient
from ulid import ULID

from shared.kafka.admin import TopicSpec, ensure_topics

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
REPO = Path(__file__).resolve().parents[3]
T = TypeVar("T")


@dataclass(frozen=True)
class SlaRun:
    """One test's topics, app id (consumer group), database, data dir and web port."""

    uid: str
    port: int
    data_dir: Path

    @property
    def received(self) -> str:
        return f"t-{self.uid}.complaints.received"

    @property
    def assigned(self) -> str:
        return f"t-{self.uid}.complaints.assigned"

    @property
    def updates(self) -> str:
        return f"t-{self.uid}.complaints.updates"

    @property
    def resolved(self) -> str:
        return f"t-{self.uid}.complaints.resolved"

    @property
    def app_id(self) -> str:
        return f"sla-test-{self.uid}"

    @property
    def database(self) -> str:
        return f"sla_test_{self.uid}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def topics(self) -> list[str]:
        sources = [self.received, self.assigned, self.updates, self.resolved]
        return [*sources, *(t + ".dlq" for t in sources), f"{self.app_id}-cases-changelog"]

    def env(self) -> dict[str, str]:
        return os.environ | {
            "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
            "MONGODB_URI": MONGODB_URI,
            "SLA_APP_ID": self.app_id,
            "SLA_TOPIC_RECEIVED": self.received,
            "SLA_TOPIC_ASSIGNED": self.assigned,
            "SLA_TOPIC_UPDATES": self.updates,
            "SLA_TOPIC_RESOLVED": self.resolved,
            "SLA_MONGODB_DATABASE": self.database,
            "SLA_HTTP_PORT": str(self.port),
            "SLA_DATA_DIR": str(self.data_dir),
            "SLA_MONGO_BACKOFF_S": "0.05",
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sla_run(tmp_path: Path) -> Iterator[SlaRun]:
    """Create one test's topics; delete them and its database afterwards."""
    run = SlaRun(uid=str(ULID()).lower(), port=free_port(), data_dir=tmp_path / "sla-data")
    sources = [run.received, run.assigned, run.updates, run.resolved]
    specs = [twin for t in sources for twin in TopicSpec(t, 3, dead_letter=True).with_dead_letter()]
    ensure_topics(BOOTSTRAP, specs)
    try:
        yield run
    finally:
        admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        try:
            existing = set(admin.list_topics())
            admin.delete_topics([t for t in run.topics() if t in existing])
        finally:
            admin.close()
        with MongoClient(MONGODB_URI) as client:
            client.drop_database(run.database)


def poll(condition: Callable[[], T | None], timeout_s: float = 30.0, what: str = "") -> T:
    """Return the first truthy result of `condition`, polling until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)  # polling interval of a condition with a deadline, not a sync sleep
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or condition}")


def start_worker(run: SlaRun, **env: str) -> subprocess.Popen[bytes]:
    """Start `python -m services.sla` and wait until /readyz says 200."""
    process = subprocess.Popen(
        [sys.executable, "-m", "services.sla"], cwd=REPO, env=run.env() | env
    )
    try:
        poll(lambda: _ready(run, process), timeout_s=60, what="sla /readyz")
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


@contextmanager
def sla_worker(run: SlaRun) -> Iterator[subprocess.Popen[bytes]]:
    """Run the worker until the block ends, then SIGTERM it (it must exit 0)."""
    process = start_worker(run)
    try:
        yield process
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _ready(run: SlaRun, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"sla exited early with {process.returncode}"
    try:
        return httpx.get(f"{run.base_url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False
