"""Helpers for the sla's integration tests: per-test topics, group, database and port, and the
worker as a real process (tests/support/processes.py). (No shared tests/conftest.py fixtures
existed when these were written.)"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient
from pymongo import MongoClient
from ulid import ULID

from shared.kafka.admin import TopicSpec, ensure_topics
from tests.support.processes import ServiceProcess, free_port

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")


@dataclass(frozen=True)
class SlaRun:
    """One test's topics, consumer group, database, log file and web port."""

    uid: str
    port: int
    log: Path

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
    def group_id(self) -> str:
        return f"sla-test-{self.uid}"

    @property
    def database(self) -> str:
        return f"sla_test_{self.uid}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def topics(self) -> list[str]:
        sources = [self.received, self.assigned, self.updates, self.resolved]
        return [*sources, *(t + ".dlq" for t in sources)]

    def env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
            "MONGODB_URI": MONGODB_URI,
            "SLA_GROUP_ID": self.group_id,
            "SLA_TOPIC_RECEIVED": self.received,
            "SLA_TOPIC_ASSIGNED": self.assigned,
            "SLA_TOPIC_UPDATES": self.updates,
            "SLA_TOPIC_RESOLVED": self.resolved,
            "SLA_MONGODB_DATABASE": self.database,
            "SLA_HTTP_PORT": str(self.port),
            "SLA_RETRY_BASE_S": "0.05",
        }


@contextmanager
def sla_run(tmp_path: Path) -> Iterator[SlaRun]:
    """Create one test's topics; delete them and its database afterwards."""
    run = SlaRun(
        uid=str(ULID()).lower(),
        port=free_port(),
        log=tmp_path / "sla.log",  # every start of the worker in this test appends to it
    )
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


def start_worker(run: SlaRun, **env: str) -> ServiceProcess:
    """Start `python -m services.sla` and wait until /readyz says 200 (kill it if it never does)."""
    worker = ServiceProcess.start(
        "sla",
        ["-m", "services.sla"],
        log=run.log,
        env=run.env() | env,
        ready_url=f"{run.base_url}/readyz",
    )
    try:
        worker.wait_ready(timeout=60)
    except BaseException:
        worker.kill()
        raise
    return worker


@contextmanager
def sla_worker(run: SlaRun) -> Iterator[ServiceProcess]:
    """Run the worker until the block ends, then SIGTERM it (it must exit 0)."""
    with start_worker(run) as worker:
        yield worker
        assert worker.stop(timeout=60) == 0
