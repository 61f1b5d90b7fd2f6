"""Helpers for the sla's integration tests: one test's addresses, topics, consumer group,
database and web port (the `run` fixture, conftest.py), and the worker as a real process
(tests/support/processes.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import ServiceProcess


@dataclass(frozen=True)
class SlaRun:
    """One test's Kafka and MongoDB addresses, topics, consumer group, database, log file and
    web port."""

    kafka_bootstrap: str
    mongodb_uri: str
    received: str
    assigned: str
    updates: str
    resolved: str
    alerts: str
    group_id: str
    database: str
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "MONGODB_URI": self.mongodb_uri,
            "SLA_GROUP_ID": self.group_id,
            "SLA_TOPICS__RECEIVED": self.received,
            "SLA_TOPICS__ASSIGNED": self.assigned,
            "SLA_TOPICS__UPDATES": self.updates,
            "SLA_TOPICS__RESOLVED": self.resolved,
            "SLA_TOPICS__ALERTS": self.alerts,
            "SLA_MONGODB_DATABASE": self.database,
            "SLA_HTTP_PORT": str(self.port),
            "SLA_RETRY_BASE_S": "0.05",
        }


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
def sla_worker(run: SlaRun, **env: str) -> Iterator[ServiceProcess]:
    """Run the worker until the block ends, then SIGTERM it (it must exit 0)."""
    with start_worker(run, **env) as worker:
        yield worker
        assert worker.stop(timeout=60) == 0
