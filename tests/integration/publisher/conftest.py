"""Fixtures for publisher integration tests: Kafka and FerretDB from tests/conftest.py's
`infra`, and the LAPOR! contract server as a real process. Every test gets its own topics,
consumer group, database and contract server."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from publisher_support import CKAN_TOKEN, TOKEN, Env, LaporServer, PublisherFactory
from pydantic import SecretStr
from pymongo import MongoClient

from services.publisher.config import CkanSettings, LaporSettings, Settings
from services.publisher.service import build
from shared.config import KafkaSettings, Topics
from shared.service import ConsumeService
from shared.topics import COMPLAINTS_RESOLVED
from tests.support.infra import Infra
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
def ckan_server(tmp_path: Path) -> Iterator[LaporServer]:
    """Start deploy/local/ckan_server.py as its own process on a free port."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with ServiceProcess.start(
        "ckan",
        ["deploy/local/ckan_server.py", "--port", str(port), "--token", CKAN_TOKEN],
        log=tmp_path / "ckan.log",
        ready_url=f"{base_url}/healthz",
    ) as process:
        process.wait_ready(timeout=20)
        server = LaporServer(base_url, httpx.Client(base_url=base_url, timeout=5))
        try:
            yield server
        finally:
            server.http.close()
        assert process.stop(timeout=10) in (0, -signal.SIGTERM)


@pytest.fixture
def both_settings(
    env: Env, lapor_server: LaporServer, ckan_server: LaporServer
) -> Callable[..., Settings]:
    """Settings for a publisher to LAPOR! and CKAN (both contract servers), short retries."""

    def make(
        lapor: dict[str, Any] | None = None, ckan: dict[str, Any] | None = None, **over: Any
    ) -> Settings:
        return Settings(
            topics=Topics(resolved=env.topic),
            group_id=env.group,
            mongodb_uri=env.mongodb_uri,
            mongodb_database=env.database,
            kafka=KafkaSettings(bootstrap_servers=env.kafka_bootstrap),
            lapor=LaporSettings(
                base_url=lapor_server.base_url, token=SecretStr(TOKEN), **(lapor or {})
            ),
            ckan=CkanSettings(
                base_url=ckan_server.base_url, token=SecretStr(CKAN_TOKEN), **(ckan or {})
            ),
            retry_base_s=0.05,
            retry_cap_s=0.2,
            **over,
        )

    return make


@pytest.fixture
def env(
    infra: Infra,
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    new_db: Callable[[], str],
) -> Env:
    """This test's topic (with its .dlq twin), group and database; the topics and the database
    are removed afterwards."""
    return Env(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongodb_uri=infra.mongodb_uri,
        topic=new_topics(COMPLAINTS_RESOLVED)[COMPLAINTS_RESOLVED],
        group=new_group(),
        database=new_db(),
    )


@pytest.fixture
def start_publisher(
    env: Env, lapor_server: LaporServer, run_in_background: Callable[..., ConsumeService]
) -> PublisherFactory:
    """Build the publisher with the real wiring and run its loop in a thread until teardown."""

    def start(**lapor: Any) -> ConsumeService:
        settings = Settings(
            topics=Topics(resolved=env.topic),
            group_id=env.group,
            mongodb_uri=env.mongodb_uri,
            mongodb_database=env.database,
            kafka=KafkaSettings(bootstrap_servers=env.kafka_bootstrap),
            lapor=LaporSettings(
                base_url=lapor_server.base_url, token=SecretStr(TOKEN), read_timeout_s=5, **lapor
            ),
            retry_base_s=0.05,
            retry_cap_s=0.2,
        )
        return run_in_background(build(settings), name="publisher")

    return start


@pytest.fixture
def ledger(env: Env) -> Iterator[Any]:
    """The test database's ledger collection, read directly."""
    mongo: MongoClient[dict[str, Any]] = MongoClient(env.mongodb_uri, tz_aware=True)
    yield mongo[env.database]["ledger"]
    mongo.close()
