"""Fixtures for the sla's integration tests: Kafka and MongoDB from tests/conftest.py's `infra`,
and per test its own topics (each with its .dlq twin), consumer group, database and web port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from sla_support import SlaRun

from shared.topics import (
    COMPLAINTS_ASSIGNED,
    COMPLAINTS_RECEIVED,
    COMPLAINTS_RESOLVED,
    COMPLAINTS_UPDATES,
    SLA_ALERTS,
)
from tests.support.infra import Infra
from tests.support.processes import free_port


@pytest.fixture
def run(
    infra: Infra,
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    new_db: Callable[[], str],
    tmp_path: Path,
) -> SlaRun:
    """This test's names; its topics and database are removed afterwards."""
    topics = new_topics(
        COMPLAINTS_RECEIVED,
        COMPLAINTS_ASSIGNED,
        COMPLAINTS_UPDATES,
        COMPLAINTS_RESOLVED,
        SLA_ALERTS,
    )
    return SlaRun(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongodb_uri=infra.mongodb_uri,
        received=topics[COMPLAINTS_RECEIVED],
        assigned=topics[COMPLAINTS_ASSIGNED],
        updates=topics[COMPLAINTS_UPDATES],
        resolved=topics[COMPLAINTS_RESOLVED],
        alerts=topics[SLA_ALERTS],
        group_id=new_group(),
        database=new_db(),
        port=free_port(),
        log=tmp_path / "sla.log",  # every start of the worker in this test appends to it
    )


@pytest.fixture
def cases(run: SlaRun) -> Iterator[Any]:
    """The test database's cases collection (the sla's view), read directly."""
    with MongoClient(run.mongodb_uri, tz_aware=True) as client:
        yield client[run.database]["cases"]
