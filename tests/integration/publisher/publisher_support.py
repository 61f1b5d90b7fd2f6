"""Helpers for publisher integration tests: names, the contract server's client, commits."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from shared.service import ConsumeService
from tests.support.kafka import committed_offsets

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
TOKEN = "integration-token"  # the contract server's token in these tests

PublisherFactory = Callable[..., ConsumeService]


@dataclass
class Env:
    """One test's names: topic (with .dlq twin), consumer group, database."""

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

    def faults(self, **faults: int) -> None:
        self.http.post("/_contract/faults", json=faults).raise_for_status()


def committed(group: str, topic: str) -> int:
    """Return the sum of the group's committed offsets on `topic`."""
    offsets = committed_offsets(BOOTSTRAP, group)
    return sum(offset for tp, offset in offsets.items() if tp.topic == topic)
