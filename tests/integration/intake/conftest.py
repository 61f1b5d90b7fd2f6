"""Fixtures for the intake integration tests: real Kafka and FerretDB (tests/conftest.py's
`infra`), a unique received topic and database per test, and settings pointing at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from intake_helpers import API_KEY, CONNECTOR, DEAD_KAFKA
from pymongo import MongoClient
from pymongo.collection import Collection

from services.intake.config import Settings
from shared.config import KafkaSettings, Topics
from tests.support.infra import Infra


@pytest.fixture
def received_topic(new_topics: Callable[..., dict[str, str]]) -> str:
    """A fresh received topic for this test (intake produces to it; no dead-letter twin)."""
    return new_topics("complaints.received", dead_letter=False)["complaints.received"]


@pytest.fixture
def intake_db(new_db: Callable[[], str]) -> str:
    """A fresh database for this test."""
    return new_db()


@pytest.fixture
def complaints(infra: Infra, intake_db: str) -> Iterator[Collection[dict[str, Any]]]:
    """The test database's complaints collection, read directly."""
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True)
    yield client[intake_db][Settings.model_fields["collection"].default]
    client.close()


@pytest.fixture
def settings_for(infra: Infra, received_topic: str, intake_db: str) -> Callable[..., Settings]:
    """Build intake settings for this test's topic and database; `bootstrap` may be dead."""

    def build(bootstrap: str = infra.kafka_bootstrap, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "api_keys": {CONNECTOR: API_KEY},
            "mongodb_uri": infra.mongodb_uri,
            "mongodb_database": intake_db,
            "topics": Topics(received=received_topic),
            "kafka": KafkaSettings(bootstrap_servers=bootstrap),
            # Short only where Kafka is dead on purpose: against the real broker a fresh
            # topic's metadata may take a moment under load.
            "relay_connect_timeout_s": 1.0 if bootstrap == DEAD_KAFKA else 5.0,
            "relay_poll_s": 0.2,
            **overrides,
        }
        return Settings(**values)

    return build
