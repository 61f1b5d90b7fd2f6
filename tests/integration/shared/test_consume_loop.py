"""The shared consume loop against the real Kafka: DLQ, retries, commits, and giving up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared import headers
from shared.config import KafkaSettings
from shared.events import ComplaintResolved, Envelope, Payload, decode, encode, new_event
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop, LoopPolicy, Outgoing, Stalled
from shared.kafka.producer import idempotent_producer
from shared.kafka.records import per_record
from shared.retry import Backoff, TransientError
from tests.support.broker import DisposableKafka
from tests.support.kafka import read_to_end, send_records
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration


def resolved_event(n: int) -> bytes:
    payload = ComplaintResolved(
        opd_code="dinkes", resolution=f"selesai {n}", resolved_at=datetime.now(UTC)
    )
    return encode(new_event(payload, complaint_id=f"c-{n}", source="/test"))


@pytest.fixture
def kafka(infra: Any) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=infra.kafka_bootstrap)


@pytest.fixture
def loop_factory(
    kafka: KafkaSettings, new_group: Callable[[], str]
) -> Iterator[Callable[..., ConsumeLoop[Any]]]:
    """Build loops over a source topic with a one-record handler; close their clients at
    teardown."""
    clients: list[Any] = []

    def build(
        source: str, handle: Callable[[Any], list[Outgoing]], **policy: Any
    ) -> ConsumeLoop[Any]:
        consumer = manual_commit_consumer(
            kafka, group_id=new_group(), topics=[source], client_id="test"
        )
        clients.append(consumer)
        fast = LoopPolicy(backoff=Backoff(base_s=0.01, cap_s=0.05), **policy)
        loop: ConsumeLoop[Any] = ConsumeLoop(
            consumer,
            lambda: idempotent_producer(kafka, client_id="test"),
            service="test",
            decode=decode,
            handle=per_record(handle),
            policy=fast,
        )
        clients.append(loop)
        return loop

    yield build
    for client in reversed(clients):
        client.close()


def run_until(loop: ConsumeLoop[Any], condition: Callable[[], bool], timeout_s: float = 30) -> None:
    """Drive the loop in this thread until `condition` holds."""
    wait_until(lambda: loop.run_once() >= 0 and condition(), timeout=timeout_s, interval=0)


def produce(kafka: KafkaSettings, topic: str, values: list[bytes]) -> None:
    send_records(kafka.bootstrap_servers, topic, [(b"k", value) for value in values])


def test_poison_goes_to_the_dead_letter_topic_and_the_next_record_flows(
    kafka: KafkaSettings, new_topics: Any, loop_factory: Any
) -> None:
    topics = new_topics("source", "sink")
    forwarded: list[str] = []

    def forward(event: Envelope[Payload]) -> list[Outgoing]:
        forwarded.append(event.id)
        return [Outgoing.event(topics["sink"], event)]

    produce(kafka, topics["source"], [b"{not json", resolved_event(1)])
    loop = loop_factory(topics["source"], forward)
    run_until(loop, lambda: len(forwarded) == 1)

    [dead] = read_to_end(kafka.bootstrap_servers, topics["source"] + ".dlq", at_least=1)
    meta = dict(dead.headers)
    assert dead.value == b"{not json"
    assert meta[headers.DLQ_SOURCE_TOPIC] == topics["source"].encode()
    assert meta[headers.DLQ_SOURCE_OFFSET] == b"0"
    assert meta[headers.DLQ_ERROR_CLASS] == b"ValidationError"
    assert b"Invalid JSON" in meta[headers.DLQ_ERROR_MESSAGE]
    assert meta[headers.DLQ_ATTEMPTS] == b"1"
    [out] = read_to_end(kafka.bootstrap_servers, topics["sink"], at_least=1)
    assert decode(out.value).id == forwarded[0]
    assert dict(out.headers)["content-type"] == b"application/cloudevents+json"


def test_an_unavailable_dependency_is_waited_for_never_dead_lettered(
    kafka: KafkaSettings, new_topics: Any, loop_factory: Any
) -> None:
    topics = new_topics("source")
    calls: dict[str, int] = {}

    def flaky(event: Envelope[Payload]) -> list[Outgoing]:
        calls[event.subject] = calls.get(event.subject, 0) + 1
        if event.subject == "c-2" and calls["c-2"] < 4:
            raise TransientError("mongo hiccup", dependency="mongo")
        return []

    produce(kafka, topics["source"], [resolved_event(1), resolved_event(2), resolved_event(3)])
    loop = loop_factory(topics["source"], flaky)
    run_until(loop, lambda: calls.get("c-2", 0) >= 4 and "c-3" in calls)

    assert calls["c-2"] == 4
    assert read_to_end(kafka.bootstrap_servers, topics["source"] + ".dlq") == []


def test_offsets_are_committed_after_the_batch_so_a_new_member_resumes(
    kafka: KafkaSettings, new_topics: Any, new_group: Any
) -> None:
    topics = new_topics("source")
    group = new_group()
    produce(kafka, topics["source"], [resolved_event(n) for n in range(5)])
    seen: list[str] = []

    def run_member(until: int) -> None:
        consumer = manual_commit_consumer(
            kafka, group_id=group, topics=[topics["source"]], client_id="t"
        )
        loop: ConsumeLoop[Any] = ConsumeLoop(
            consumer,
            lambda: idempotent_producer(kafka, client_id="t"),
            service="test",
            decode=decode,
            handle=per_record(lambda e: seen.append(e.subject) or []),
        )
        run_until(loop, lambda: len(seen) >= until)
        loop.close()
        consumer.close()

    run_member(until=5)
    produce(kafka, topics["source"], [resolved_event(9)])
    run_member(until=6)
    assert sorted(seen) == sorted([f"c-{n}" for n in range(5)] + ["c-9"])  # nothing seen twice


@pytest.fixture
def disposable_kafka() -> Iterator[DisposableKafka]:
    """A broker of this test's own, to take away mid-test."""
    if not DisposableKafka.available():
        pytest.fail("local Kafka jars missing: run `make infra-install`")
    broker = DisposableKafka()
    broker.start()
    yield broker
    broker.cleanup()


def test_a_kafka_outage_is_waited_out_and_the_loop_resumes_by_itself(
    disposable_kafka: DisposableKafka, new_group: Any
) -> None:
    kafka = KafkaSettings(bootstrap_servers=disposable_kafka.bootstrap)
    ensure_topics(
        kafka.bootstrap_servers, TopicSpec("source", 1, dead_letter=True).with_dead_letter()
    )
    consumer = manual_commit_consumer(kafka, group_id=new_group(), topics=["source"], client_id="t")
    seen: list[str] = []
    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer,
        lambda: idempotent_producer(kafka, client_id="t", max_block_ms=1_000),
        service="test",
        decode=decode,
        handle=per_record(lambda e: seen.append(e.subject) or []),
        policy=LoopPolicy(
            backoff=Backoff(base_s=0.1, cap_s=0.5), idle_probe_s=0.2, poll_timeout_ms=100
        ),
    )
    produce(kafka, "source", [resolved_event(1)])
    wait_until(lambda: loop.run_once() >= 0 and seen == ["c-1"], timeout=60, interval=0)
    disposable_kafka.stop()
    wait_until(lambda: loop.run_once() >= 0 and bool(loop.progress.down()), timeout=60, interval=0)
    assert "kafka" in loop.progress.down()

    disposable_kafka.restart()
    produce(kafka, "source", [resolved_event(2)])
    wait_until(lambda: loop.run_once() >= 0 and "c-2" in seen, timeout=120, interval=0)
    wait_until(lambda: loop.run_once() >= 0 and not loop.progress.down(), timeout=60, interval=0)
    assert read_to_end(kafka.bootstrap_servers, "source.dlq") == []
    loop.close()
    consumer.close()


def test_the_loop_ends_with_stalled_when_kafka_stays_away(
    disposable_kafka: DisposableKafka, new_group: Any
) -> None:
    kafka = KafkaSettings(bootstrap_servers=disposable_kafka.bootstrap)
    ensure_topics(kafka.bootstrap_servers, [TopicSpec("source", 1)])
    consumer = manual_commit_consumer(kafka, group_id=new_group(), topics=["source"], client_id="t")
    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer,
        lambda: idempotent_producer(kafka, client_id="t", max_block_ms=500),
        service="test",
        decode=decode,
        handle=per_record(lambda e: []),
        policy=LoopPolicy(
            backoff=Backoff(base_s=0.1, cap_s=0.5),
            stall_limit_s=3.0,
            idle_probe_s=0.2,
            poll_timeout_ms=100,
        ),
    )
    wait_until(lambda: loop.run_once() >= 0 and consumer.assignment(), timeout=30, interval=0)
    disposable_kafka.stop()

    failure: list[BaseException] = []

    def run() -> None:
        try:
            loop.run()
        except Stalled as exc:
            failure.append(exc)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=60)
    assert not runner.is_alive(), "the loop kept running without Kafka"
    assert failure and "no progress" in str(failure[0])
    consumer.close()
