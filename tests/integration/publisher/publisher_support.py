"""Helpers for publisher integration tests (local stand-ins until tests/support offers them)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from kafka import KafkaAdminClient, KafkaConsumer

from shared.service import ConsumeService

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
TOKEN = "integration-token"  # the contract server's token in these tests

PublisherFactory = Callable[..., ConsumeService]


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Return once `condition()` holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)  # polling interval, not synchronisation


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def answers(self) -> bool:
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False


def committed(group: str, topic: str) -> int:
    """Return the sum of the group's committed offsets on `topic`."""
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)


def read_records(topic: str, count: int, timeout_s: float = 30) -> list[Any]:
    """Read `count` records from the start of `topic`, failing after `timeout_s`."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest", group_id=None
    )
    records: list[Any] = []
    try:
        wait_until(
            lambda: bool(records.extend(_poll(consumer)) or len(records) >= count),
            timeout=timeout_s,
            what=f"{count} records on {topic}",
        )
    finally:
        consumer.close()
    return records


def _poll(consumer: KafkaConsumer) -> list[Any]:
    return [r for batch in consumer.poll(timeout_ms=200).values() for r in batch]
