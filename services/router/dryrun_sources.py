"""Where `dry-run` reads past complaints besides a JSONL file: intake's Mongo collection, or a
range of a Kafka topic of ComplaintReceived events. Each yields `ComplaintFields` for
`dryrun.compare`. Read-only: no consumer group, no commit, no write.

Intake's collection is read by its documented shape (services/intake/repository.py): one
document per complaint with `received_at` and `complaint`, the ComplaintReceived payload.
FerretDB scans for the `--since` range: this is an operator's tool, not a hot path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from pydantic import ValidationError
from pymongo.collection import Collection

from services.router.decide import ComplaintFields
from services.router.events import fields_of
from shared.config import KafkaSettings
from shared.events import ComplaintReceived, decode

# A topic read stops once every partition reached the end offsets taken at the start, or after
# this long without a record (a partition whose end is a transaction marker, never a record).
IDLE_S = 5.0


def from_mongo(
    collection: Collection[dict[str, Any]], since: datetime | None = None
) -> Iterator[ComplaintFields]:
    """Yield the stored complaints (received from `since`); raise ValueError on a bad one."""
    query = {"received_at": {"$gte": since}} if since else {}
    for doc in collection.find(query, {"complaint": 1}).batch_size(500):
        try:
            complaint = ComplaintReceived.model_validate(doc.get("complaint"))
        except ValidationError as exc:
            raise ValueError(f"document {doc['_id']!r}: not a received complaint: {exc}") from None
        yield fields_of(complaint)


class TopicRange:
    """The ComplaintReceived events of `topic` from `since` (by record timestamp, then by
    `received_at`) to the end offsets at the start; `skipped` counts the other records."""

    def __init__(self, kafka: KafkaSettings, topic: str, since: datetime | None = None) -> None:
        self._kafka = kafka
        self._topic = topic
        self._since = since
        self.skipped = 0

    def __iter__(self) -> Iterator[ComplaintFields]:
        consumer = KafkaConsumer(
            **self._kafka.client_options(),
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",  # never an aborted transaction's records
        )
        try:
            yield from self._read(consumer)
        finally:
            consumer.close()

    def _read(self, consumer: KafkaConsumer) -> Iterator[ComplaintFields]:
        numbers = consumer.partitions_for_topic(self._topic)
        if not numbers:
            raise ValueError(f"no topic {self._topic!r} on the cluster")
        partitions = [TopicPartition(self._topic, n) for n in sorted(numbers)]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        self._seek_to_start(consumer, partitions, ends)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            batch = consumer.poll(timeout_ms=int(IDLE_S * 1000))
            if not batch:
                return
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield from self._fields(record.value)

    def _seek_to_start(
        self, consumer: KafkaConsumer, partitions: list[TopicPartition], ends: dict[Any, int]
    ) -> None:
        if self._since is None:
            consumer.seek_to_beginning(*partitions)
            return
        stamp = int(self._since.timestamp() * 1000)
        found = consumer.offsets_for_times({tp: stamp for tp in partitions})
        for tp in partitions:
            at = found.get(tp)
            consumer.seek(tp, at.offset if at is not None else ends[tp])

    def _fields(self, value: bytes) -> Iterator[ComplaintFields]:
        try:
            data = decode(value).data
        except ValueError:  # undecodable (pydantic's ValidationError is one): poison, skipped
            data = None
        if not isinstance(data, ComplaintReceived):
            self.skipped += 1
            return
        if self._since is None or data.received_at >= self._since:
            yield fields_of(data)
