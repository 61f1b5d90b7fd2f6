"""Fixtures for publisher integration tests: real Kafka, FerretDB and the LAPOR! contract
server as a real process. Every test gets its own topics, consumer group, database and
contract server."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient
from publisher_support import (
    BOOTSTRAP,
    MONGODB_URI,
    TOKEN,
    Env,
    LaporServer,
    PublisherFactory,
)
from pydantic import SecretStr
from pymongo import MongoClient

from services.publisher.app import build
from services.publisher.config import LaporSettings, Settings
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.service import ConsumeService
from shared.topics import dead_letter
from tests.support.processes import ServiceProcess, free_port


@pytest.fixture
def lapor_server(tmp_path: Path) -> Iterator[LaporServer]:
    """Start deploy/local/lapor_server.py as its own process on a free port."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with ServiceProcess.start(
        "lapor",
        ["deploy/local/lapor_server.py", "--port", str(port), "--token", TOKEN],
        log=tmp_path / "lapor.log",
        ready_url=f"{base_url}/healthz",
    ) as process:
        process.wait_ready(timeout=20)
        server = LaporServer(base_url, httpx.Client(base_url=base_url, timeout=5))
        try:
            yield server
        finally:
            server.http.close()
        # uvicorn re-raises SIGTERM once its graceful shutdown is done: -SIGTERM is clean.
        assert process.stop(timeout=10) in (0, -signal.SIGTERM)


@pytest.fixture
def env() -> Iterator[Env]:
    """Create this test's topic and its .dlq twin; drop them and the database afterwards."""
    suffix = uuid.uuid4().hex[:10]
    names = Env(f"test.resolved.{suffix}", f"test-publisher-{suffix}", f"test_pub_{suffix}")
    ensure_topics(
        BOOTSTRAP, TopicSpec(names.topic, partitions=3, dead_letter=True).with_dead_letter()
    )
    yield names
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    try:
        admin.delete_topics([names.topic, dead_letter(names.topic)])
    finally:
        admin.close()
    mongo: MongoClient[dict[str, Any]] = MongoClient(MONGODB_URI)
    mongo.drop_database(names.database)
    mongo.close()


@pytest.fixture
def start_publisher(
    env: Env, lapor_server: LaporServer, run_in_background: Callable[..., ConsumeService]
) -> PublisherFactory:
    """Build the publisher with the real wiring and run its loop in a thread until teardown."""

    def start(**lapor: Any) -> ConsumeService:
        settings = Settings(
            input_topic=env.topic,
            consumer_group=env.group,
            mongodb_database=env.database,
            kafka=KafkaSettings(bootstrap_servers=BOOTSTRAP),
            lapor=LaporSettings(
                base_url=lapor_server.base_url, token=SecretStr(TOKEN), read_timeout_s=5, **lapor
            ),
            retry_attempts=6,
            retry_base_s=0.05,
            retry_cap_s=0.2,
        )
        return run_in_background(build(settings), name="publisher")

    return start


@pytest.fixture
def ledger(env: Env) -> Iterator[Any]:
    """The test database's ledger collection, read directly."""
    mongo: MongoClient[dict[str, Any]] = MongoClient(MONGODB_URI, tz_aware=True)
    yield mongo[env.database]["ledger"]
    mongo.close()
