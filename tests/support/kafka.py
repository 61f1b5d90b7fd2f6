"""Kafka helpers for tests: send records or events to a topic, read back what it holds, see
the commits of a consumer group.

Two readers, both from the start of every partition and without a consumer group:
  read_records(bootstrap, topic, count)      at least `count` records (maybe more);
  read_to_end(bootstrap, topic, at_least)    once `at_least` arrived, everything up to the end
                                             offsets, so the caller can assert an exact count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from shared.events import Envelope, encode
from tests.support.wait import WaitTimeout, wait_until

Key = str | bytes | None


def send_records(
    bootstrap: str, topic: str, records: Iterable[tuple[Key, bytes]], timeout: float = 30.0
) -> None:
    """Send raw (key, value) records in this order; each is acknowledged before the next goes.

    Keys may be str (sent as UTF-8), bytes or None. The producer is idempotent (acks=all), like
    the services' own, so a retried send is written once.
    """
    send_records_with_headers(bootstrap, topic, ((k, v, []) for k, v in records), timeout)


def send_records_with_headers(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[Key, bytes, list[tuple[str, bytes]]]],
    timeout: float = 30.0,
) -> None:
    """Send (key, value, headers) records in this order, each acknowledged before the next."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        for key, value, hdrs in records:
            raw_key = key.encode() if isinstance(key, str) else key
            producer.send(topic, key=raw_key, value=value, headers=hdrs).get(timeout=timeout)
    finally:
        producer.close()


def send_events(bootstrap: str, topic: str, *events: Envelope[Any]) -> None:
    """Send encoded event envelopes in this order, each keyed by its subject (the complaint id),
    as the services key them."""
    send_records(bootstrap, topic, [(event.subject, encode(event)) for event in events])


def read_records(bootstrap: str, topic: str, count: int, timeout: float = 30.0) -> list[Any]:
    """Read `topic` from the beginning until at least `count` records arrived; fail on timeout.

    Returns every record read (kafka-python ConsumerRecords, in order within each partition),
    which may be more than `count`.
    """
    return _read(
        bootstrap, topic, lambda records, _: len(records) >= count, f"{count} records", timeout
    )


def read_to_end(bootstrap: str, topic: str, at_least: int = 0, timeout: float = 30.0) -> list[Any]:
    """Read `topic` from the beginning until at least `at_least` records arrived and nothing is
    left before its end offsets; return them all: exactly what the topic holds by then."""
    return _read(
        bootstrap,
        topic,
        lambda records, at_end: len(records) >= at_least and at_end(),
        f"at least {at_least} records and the end",
        timeout,
    )


def committed_offsets(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    """The offsets `group` has committed, per partition (-1 where it committed none)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        offsets = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    return {tp: meta.offset for tp, meta in offsets.items()}


def _read(
    bootstrap: str,
    topic: str,
    done: Callable[[list[Any], Callable[[], bool]], bool],
    what: str,
    timeout: float,
) -> list[Any]:
    deadline = time.monotonic() + timeout
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    records: list[Any] = []
    try:
        numbers = wait_until(
            lambda: consumer.partitions_for_topic(topic),
            timeout=timeout,
            message=f"{topic} to exist",
        )
        partitions = [TopicPartition(topic, p) for p in sorted(numbers)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)

        def at_end() -> bool:
            ends = consumer.end_offsets(partitions)
            return all(consumer.position(tp) >= ends[tp] for tp in partitions)

        def polled_enough() -> bool:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            return done(records, at_end)

        left = max(deadline - time.monotonic(), 0.0)
        try:
            wait_until(polled_enough, timeout=left, interval=0, message=what)
        except WaitTimeout:
            raise WaitTimeout(
                f"{topic}: {what} not read in {timeout:g} s; got {len(records)}"
            ) from None
    finally:
        consumer.close()
    return records
