"""In-memory stand-ins for the kafka-python client interfaces the consume loop uses.

FakeConsumer serves records from in-memory partitions at its positions, honours seek, pause and
resume, and records commits; FakeProducer keeps what was sent and can be told to fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kafka.errors import KafkaTimeoutError
from kafka.structs import OffsetAndMetadata, TopicPartition


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class Commits(dict[TopicPartition, int]):
    """The group's committed offsets; calling it is KafkaConsumer.committed(tp)."""

    def __call__(self, tp: TopicPartition, timeout_ms: int | None = None) -> int | None:
        return self.get(tp)


class FakeConsumer:
    """Partitions of records; poll returns what is past each unpaused position."""

    def __init__(self, records: dict[TopicPartition, list[bytes]], group: str = "g") -> None:
        self.logs = {
            tp: [Record(tp.topic, tp.partition, n, b"k", v) for n, v in enumerate(values)]
            for tp, values in records.items()
        }
        self.positions = {tp: 0 for tp in records}
        self.committed = Commits()
        self.paused_set: set[TopicPartition] = set()
        self.assigned = set(records)
        self.config = {"group_id": group}
        self.commit_error: Exception | None = None
        self.poll_error: Exception | None = None
        self.max_records = 100

    def append(self, tp: TopicPartition, value: bytes) -> None:
        log = self.logs[tp]
        log.append(Record(tp.topic, tp.partition, len(log), b"k", value))

    def poll(self, timeout_ms: int = 0) -> dict[TopicPartition, list[Record]]:
        if self.poll_error is not None:
            raise self.poll_error
        batch = {}
        for tp in sorted(self.assigned - self.paused_set):
            records = self.logs[tp][self.positions[tp] : self.positions[tp] + self.max_records]
            if records:
                batch[tp] = records
                self.positions[tp] = records[-1].offset + 1
        return batch

    def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata], timeout_ms: int = 0) -> None:
        if self.commit_error is not None:
            raise self.commit_error
        self.committed.update({tp: meta.offset for tp, meta in offsets.items()})

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def pause(self, *tps: TopicPartition) -> None:
        self.paused_set |= set(tps)

    def resume(self, *tps: TopicPartition) -> None:
        assert set(tps) <= self.assigned, "resume of a partition not assigned"
        self.paused_set -= set(tps)

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def rebalance(self, keep: Iterable[TopicPartition]) -> None:
        """Reassign: positions go back to the commits, paused flags are cleared (as in Kafka)."""
        self.assigned = set(keep)
        self.paused_set = set()
        for tp in self.assigned:
            self.positions[tp] = self.committed.get(tp, 0)

    def subscription(self) -> set[str]:
        return {tp.topic for tp in self.logs}

    def end_offsets(self, tps: list[TopicPartition], timeout_ms: int = 0) -> dict[Any, int]:
        if self.poll_error is not None:
            raise self.poll_error
        return {tp: len(self.logs.get(tp, [])) for tp in tps}

    def highwater(self, tp: TopicPartition) -> int:
        return len(self.logs[tp])

    def group_metadata(self) -> str:
        return str(self.config["group_id"])


class FakeFuture:
    def __init__(self, error: Exception | None) -> None:
        self.exception = error

    def failed(self) -> bool:
        return self.exception is not None


class FakeProducer:
    """Keeps sent records; `fail_sends` makes the next sends fail at flush."""

    made = 0

    def __init__(self) -> None:
        FakeProducer.made += 1
        self.sent: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]] = []
        self.fail_sends = 0
        self.closed = False

    def send(self, topic: str, *, key: bytes | None, value: bytes, headers: Any) -> FakeFuture:
        if self.fail_sends:
            self.fail_sends -= 1
            return FakeFuture(KafkaTimeoutError("delivery timed out"))
        self.sent.append((topic, key, value, list(headers)))
        return FakeFuture(None)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


class FakeTxnProducer(FakeProducer):
    """A transactional producer: sends become visible (`sent`) and the offsets committed on the
    consumer only at commit_transaction. `commit_error` fails the next commit, after applying it
    when `commit_lands` (an indefinite error whose commit did happen); `offsets_error` fails the
    next send_offsets_to_transaction."""

    def __init__(self, consumer: FakeConsumer) -> None:
        super().__init__()
        self.consumer = consumer
        self.open: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]] | None = None
        self.offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        self.inits = 0
        self.aborts = 0
        self.commit_error: Exception | None = None
        self.commit_lands = False
        self.offsets_error: Exception | None = None

    def init_transactions(self) -> None:
        self.inits += 1

    def begin_transaction(self) -> None:
        assert self.inits and self.open is None and not self.closed, "begin out of order"
        self.open = []

    def send(self, topic: str, *, key: bytes | None, value: bytes, headers: Any) -> FakeFuture:
        assert self.open is not None, "send outside a transaction"
        if self.fail_sends:
            self.fail_sends -= 1
            return FakeFuture(KafkaTimeoutError("delivery timed out"))
        self.open.append((topic, key, value, list(headers)))
        return FakeFuture(None)

    def send_offsets_to_transaction(
        self, offsets: dict[TopicPartition, OffsetAndMetadata], group: Any
    ) -> None:
        assert self.open is not None and group == self.consumer.config["group_id"]
        error, self.offsets_error = self.offsets_error, None
        if error is not None:
            raise error
        self.offsets = dict(offsets)

    def commit_transaction(self) -> None:
        assert self.open is not None, "commit outside a transaction"
        error, self.commit_error = self.commit_error, None
        if error is None or self.commit_lands:
            self.sent.extend(self.open)
            self.consumer.committed.update({tp: m.offset for tp, m in self.offsets.items()})
            self.open = None
        if error is not None:
            raise error

    def abort_transaction(self) -> None:
        self.aborts += 1
        self.open = None
