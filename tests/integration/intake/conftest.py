"""Fixtures for the intake integration tests: real Kafka and FerretDB, a unique received topic
and database per test. Local stand-ins until tests/conftest.py offers shared ones."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kafka import KafkaAdminClient
from pymongo import MongoClient
from pymongo.collection import Collection

from services.intake.config import Settings
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
DEAD_KAFKA = "127.0.0.1:1"  # nothing listens there: Kafka is "down"
API_KEY = "it-key-web"
CONNECTOR = "webform-it"


@pytest.fixture
def received_topic() -> Iterator[str]:
    """A fresh received topic for this test, deleted afterwards."""
    name = f"it.intake.received.{uuid.uuid4().hex[:12]}"
    ensure_topics(BOOTSTRAP, [TopicSpec(name, partitions=3)])
    yield name
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    try:
        admin.delete_topics([name])
    finally:
        admin.close()


@pytest.fixture
def intake_db() -> Iterator[str]:
    """A fresh database name for this test, dropped afterwards."""
    name = f"it_intake_{uuid.uuid4().hex[:12]}"
    yield name
    client: MongoClient[dict[str, Any]] = MongoClient(MONGODB_URI)
    client.drop_database(name)
    client.close()


@pytest.fixture
def complaints(intake_db: str) -> Iterator[Collection[dict[str, Any]]]:
    """The test database's complaints collection, read directly."""
    client: MongoClient[dict[str, Any]] = MongoClient(MONGODB_URI, tz_aware=True)
    yield client[intake_db][Settings.model_fields["collection"].default]
    client.close()


@pytest.fixture
def settings_for(received_topic: str, intake_db: str) -> Callable[..., Settings]:
    """Build intake settings for this test's topic and database; `bootstrap` may be dead."""

    def build(bootstrap: str = BOOTSTRAP, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "api_keys": {CONNECTOR: API_KEY},
            "mongodb_uri": MONGODB_URI,
            "mongodb_database": intake_db,
            "received_topic": received_topic,
            "kafka": KafkaSettings(bootstrap_servers=bootstrap),
            "relay_connect_timeout_s": 1.0,
            "relay_poll_s": 0.2,
            **overrides,
        }
        return Settings(**values)

    return build
