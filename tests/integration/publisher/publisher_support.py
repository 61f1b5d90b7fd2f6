"""Helpers for publisher integration tests: names, the contract server's client, commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from shared.service import ConsumeService
from tests.support.kafka import committed_offsets

TOKEN = "integration-token"  # the contract server's token in these tests
CKAN_TOKEN = "integration-ckan-token"

PublisherFactory = Callable[..., ConsumeService]


@dataclass
class Env:
    """One test's Kafka and MongoDB addresses and names: topic (with .dlq twin), consumer group,
    database."""

    kafka_bootstrap: str
    mongodb_uri: str
    topic: str
    group: str
    database: str


@dataclass
class LaporServer:
    """A running contract server and a client for its helper endpoints."""

    base_url: str
    http: httpx.Client

    def received(self) -> dict[str, Any]:
        return dict(self.http.get("/_contract/received").json())

    def complaints(self) -> list[dict[str, Any]]:
        return list(self.received()["complaints"])

    def faults(self, **faults: float) -> None:
        self.http.post("/_contract/faults", json=faults).raise_for_status()

    def advance(self, seconds: float) -> None:
        """Move the server's clock on (ends an outage window without waiting for it)."""
        self.http.post("/_contract/advance", json={"seconds": seconds}).raise_for_status()

    def rows(self) -> list[dict[str, Any]]:
        """Every DataStore row a CKAN contract server holds."""
        tables = self.received()["datastore"].values()
        return [row for table in tables for row in table["records"]]


def committed(env: Env) -> int:
    """Return the sum of the test's group's committed offsets on its topic."""
    offsets = committed_offsets(env.kafka_bootstrap, env.group)
    return sum(offset for tp, offset in offsets.items() if tp.topic == env.topic)
