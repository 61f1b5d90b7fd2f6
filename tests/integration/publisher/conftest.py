"""Fixtures for publisher integration tests: real Kafka, FerretDB and the LAPOR! contract
server as a real process. Local stand-ins until tests/conftest.py offers shared ones; every
test gets its own topics, consumer group, database and contract server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from publisher_wait import wait_until
from pydantic import SecretStr
from pymongo import MongoClient

from services.publisher.app import Runtime, build
from services.publisher.config import LaporSettings, Settings
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.producer import idempotent_producer
from shared.topics import dead_letter

ROOT = Path(__file__).resolve().parents[3]
BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
TOKEN = "integration-token"  # the contract server's token in these tests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@pytest.fixture
def lapor_server() -> Iterator[LaporServer]:
    """Start deploy/local/lapor_server.py as its own process on a free port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "deploy/local/lapor_server.py", "--port", str(port), "--token", TOKEN],
        cwd=ROOT,
    )
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5)
    try:
        wait_until(lambda: _answers(http), timeout=20, what="contract server up")
        yield LaporServer(f"http://127.0.0.1:{port}", http)
    finally:
        http.close()
        proc.terminate()
        proc.wait(timeout=10)


def _answers(http: httpx.Client) -> bool:
    try:
        return http.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


@dataclass
class Env:
    """One test's names: topic (with .dlq twin), consumer group, database."""

    topic: str
    group: str
    database: str


@pytest.fixture
def env() -> Iterator[Env]:
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


PublisherFactory = Callable[..., Runtime]


@pytest.fixture
def start_publisher(env: Env, lapor_server: LaporServer) -> Iterator[PublisherFactory]:
    """Build the publisher with the real wiring and run its loop in a thread."""
    started: list[tuple[Runtime, threading.Thread]] = []

    def start(**lapor: Any) -> Runtime:
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
        runtime = build(settings)
        thread = threading.Thread(target=runtime.loop.run, name="publisher-loop", daemon=True)
        thread.start()
        started.append((runtime, thread))
        return runtime

    yield start
    for runtime, thread in started:
        runtime.loop.stop()
        thread.join(timeout=30)
        runtime.close()


@pytest.fixture
def produce() -> Iterator[Callable[[str, str, bytes], None]]:
    producer = idempotent_producer(KafkaSettings(bootstrap_servers=BOOTSTRAP), client_id="test")

    def send(topic: str, key: str, value: bytes) -> None:
        producer.send(topic, key=key.encode(), value=value).get(timeout=10)

    yield send
    producer.close()


@pytest.fixture
def ledger(env: Env) -> Iterator[Any]:
    mongo: MongoClient[dict[str, Any]] = MongoClient(MONGODB_URI, tz_aware=True)
    yield mongo[env.database]["ledger"]
    mongo.close()


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
