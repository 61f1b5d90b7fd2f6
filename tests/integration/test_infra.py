"""The infrastructure the other integration tests stand on: Kafka, its topics, FerretDB/MongoDB."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from pymongo import MongoClient

from shared.kafka.admin import load_topic_specs
from tests.support.infra import Infra
from tests.support.kafka import read_to_end, send_records

pytestmark = pytest.mark.integration

TOPICS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "topics.yaml"


@pytest.fixture
def admin(infra: Infra) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    yield client
    client.close()


def partitions(admin: KafkaAdminClient, *topics: str) -> dict[str, int]:
    """Partition count per topic, for the topics that exist."""
    described = admin.describe_topics(list(topics))
    return {t["name"]: len(t["partitions"]) for t in described if t["error_code"] == 0}


def test_kafka_answers_describe_cluster(admin: KafkaAdminClient) -> None:
    cluster = admin.describe_cluster()
    assert len(cluster["brokers"]) >= 1
    assert cluster["cluster_id"]


def test_declared_topics_exist_with_equal_partition_counts(admin: KafkaAdminClient) -> None:
    declared = {spec.name: spec.partitions for spec in load_topic_specs(TOPICS_FILE)}
    assert partitions(admin, *declared) == declared
    complaint_topics = {n: p for n, p in declared.items() if n.startswith("complaints.")}
    assert set(complaint_topics.values()) == {3}


def test_new_topics_have_three_partitions_and_a_dlq_twin(
    admin: KafkaAdminClient, new_topics: Callable[..., dict[str, str]]
) -> None:
    names = new_topics("probe.received", "probe.assigned")
    assert set(names) == {"probe.received", "probe.assigned"}
    assert names["probe.received"].startswith("probe.received.")
    expected = {n: 3 for name in names.values() for n in (name, name + ".dlq")}
    assert partitions(admin, *expected) == expected


def test_records_round_trip_through_a_new_topic(
    infra: Infra, new_topics: Callable[..., dict[str, str]]
) -> None:
    topic = new_topics("probe.roundtrip", dead_letter=False)["probe.roundtrip"]
    send_records(infra.kafka_bootstrap, topic, [(f"c-{n}", b"x") for n in range(5)])
    records = read_to_end(infra.kafka_bootstrap, topic, at_least=5, timeout=30)
    assert sorted(r.key for r in records) == [f"c-{n}".encode() for n in range(5)]


def test_topics_are_never_auto_created(infra: Infra, admin: KafkaAdminClient) -> None:
    undeclared = f"undeclared.{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=infra.kafka_bootstrap, max_block_ms=3000)
    try:
        with pytest.raises(KafkaError):
            producer.send(undeclared, value=b"x").get(timeout=5)
    finally:
        producer.close(timeout=5)
    assert undeclared not in admin.list_topics()


def test_mongodb_answers_ping_and_stores_documents(infra: Infra, new_db: Callable[[], str]) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(
        infra.mongodb_uri, serverSelectionTimeoutMS=5000
    )
    try:
        assert client.admin.command("ping")["ok"] == 1
        collection = client[new_db()]["probe"]
        collection.insert_one({"_id": "c-1", "status": "received"})
        assert collection.find_one({"_id": "c-1"}) == {"_id": "c-1", "status": "received"}
    finally:
        client.close()


def test_prometheus_is_ready_when_provided(infra: Infra) -> None:
    if infra.prometheus_url is None:
        pytest.skip("no Prometheus on this path (containers or external)")
    assert httpx.get(infra.prometheus_url + "/-/ready", timeout=5).status_code == 200
