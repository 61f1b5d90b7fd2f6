"""The consume loop's transactional branch, every failure, on in-memory fakes of the clients.
(tests/integration/router/test_router_exactly_once.py kills a real router on the real Kafka.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pymongo.errors
import pytest
from kafka.errors import CommitFailedError, KafkaTimeoutError, ProducerFencedError
from kafka.structs import TopicPartition

from shared.kafka.loop import ConsumeLoop, LoopPolicy
from shared.kafka.records import Outgoing, Received, Result
from shared.retry import Backoff
from tests.support.wait import wait_until
from tests.unit.shared.loop_fakes import FakeConsumer, FakeTxnProducer

TP0, TP1 = TopicPartition("in", 0), TopicPartition("in", 1)
FAST = LoopPolicy(backoff=Backoff(base_s=0.001, cap_s=0.002), stall_limit_s=60, idle_probe_s=0)


def decode(raw: bytes) -> str:
    if raw == b"poison":
        raise ValueError("not a record")
    return raw.decode()


def forward(batch: Sequence[Received[str]]) -> list[Result]:
    return [Outgoing("out", "k", r.item.encode()) for r in batch]


class Txn:
    """A transactional loop on a fake consumer, and every producer it made."""

    def __init__(
        self,
        consumer: FakeConsumer,
        handle: Callable[[Sequence[Received[str]]], list[Result]] = forward,
    ) -> None:
        self.consumer = consumer
        self.producers: list[FakeTxnProducer] = []
        # A consumer commit outside the transaction would break exactly once: make it loud.
        consumer.commit_error = AssertionError("consumer.commit in transactional mode")
        self.loop: ConsumeLoop[str] = ConsumeLoop(
            consumer,  # type: ignore[arg-type]
            self._make,
            service="test",
            decode=decode,
            handle=handle,
            policy=FAST,
            transactional=True,
        )

    def _make(self) -> Any:
        self.producers.append(FakeTxnProducer(self.consumer))
        return self.producers[-1]

    @property
    def producer(self) -> FakeTxnProducer:
        return self.producers[-1]

    def sent(self, topic: str = "out") -> list[bytes]:
        return [v for p in self.producers for (t, _, v, _) in p.sent if t == topic]

    def run_until(self, condition: Callable[[], bool]) -> None:
        wait_until(lambda: self.loop.run_once() >= 0 and condition(), timeout=10, interval=0)


def test_sends_and_offsets_commit_in_one_transaction() -> None:
    txn = Txn(FakeConsumer({TP0: [b"a", b"b"], TP1: [b"c"]}))
    assert txn.loop.run_once() == 3
    assert sorted(txn.sent()) == [b"a", b"b", b"c"]
    assert txn.consumer.committed == {TP0: 2, TP1: 1}
    assert txn.producer.inits == 1 and txn.producer.open is None


def test_poison_is_dead_lettered_inside_the_batch_transaction() -> None:
    txn = Txn(FakeConsumer({TP0: [b"poison", b"a"]}))
    assert txn.loop.run_once() == 2
    assert txn.sent("in.dlq") == [b"poison"] and txn.sent() == [b"a"]


def test_a_failed_send_aborts_and_the_batch_is_replayed_by_a_new_producer() -> None:
    txn = Txn(FakeConsumer({TP0: [b"a", b"b"]}))
    txn.loop.run_once()  # commits a and b
    txn.consumer.append(TP0, b"c")
    txn.producer.fail_sends = 1
    assert txn.loop.run_once() == 0
    first = txn.producers[0]
    assert first.aborts == 1 and first.closed and TP0 in txn.consumer.paused_set
    txn.run_until(lambda: txn.consumer.committed.get(TP0) == 3)
    assert txn.sent() == [b"a", b"b", b"c"]  # the aborted c never became visible
    assert len(txn.producers) == 2 and txn.producers[1].inits == 1


def test_a_commit_that_timed_out_but_landed_is_not_processed_again() -> None:
    txn = Txn(FakeConsumer({TP0: [b"a"]}))
    txn.loop.run_once()
    txn.consumer.append(TP0, b"b")
    txn.producer.commit_error = KafkaTimeoutError("EndTxn timed out")
    txn.producer.commit_lands = True
    assert txn.loop.run_once() == 0  # the outcome is unknown to the loop
    txn.consumer.append(TP0, b"c")
    txn.run_until(lambda: txn.consumer.committed.get(TP0) == 3)
    assert txn.sent() == [b"a", b"b", b"c"]  # b once: positions resynced from the commit
    assert len(txn.producers) == 2  # Jepsen: a fresh producer after an indefinite error


def test_a_commit_that_timed_out_and_did_not_land_is_replayed_once() -> None:
    txn = Txn(FakeConsumer({TP0: [b"a"]}))
    txn.loop.run_once()
    txn.consumer.append(TP0, b"b")
    txn.producer.commit_error = KafkaTimeoutError("EndTxn timed out")
    assert txn.loop.run_once() == 0
    txn.run_until(lambda: txn.consumer.committed.get(TP0) == 2)
    assert txn.sent() == [b"a", b"b"]


def test_a_fenced_producer_drops_the_batch_at_once_and_a_new_one_takes_it() -> None:
    txn = Txn(FakeConsumer({TP0: [b"x"], TP1: []}))
    txn.loop.run_once()
    txn.consumer.append(TP0, b"a")
    txn.consumer.append(TP1, b"b")
    first = txn.producer
    first.commit_error = ProducerFencedError()
    assert txn.loop.run_once() == 0
    assert not txn.consumer.paused_set  # not an outage: no backoff, no pause
    assert first.closed and txn.consumer.positions == {TP0: 1, TP1: 0}
    assert txn.loop.run_once() == 2
    assert sorted(txn.sent()) == [b"a", b"b", b"x"]
    assert txn.consumer.committed == {TP0: 2, TP1: 1}


def test_a_transaction_refused_by_a_rebalance_is_replayed_only_where_still_assigned() -> None:
    txn = Txn(FakeConsumer({TP0: [b"x"], TP1: []}))
    txn.loop.run_once()
    txn.consumer.append(TP0, b"a")
    txn.consumer.append(TP1, b"b")
    txn.producer.offsets_error = CommitFailedError("generation moved on")
    assert txn.loop.run_once() == 0
    assert txn.sent() == [b"x"] and txn.producers[0].aborts == 1
    txn.consumer.rebalance(keep=[TP1])
    assert txn.loop.run_once() == 1
    assert txn.sent() == [b"x", b"b"] and txn.consumer.committed == {TP0: 1, TP1: 1}


def test_an_unavailable_dependency_aborts_the_transaction_and_holds_the_batch() -> None:
    calls = {"n": 0}

    def flaky(batch: Sequence[Received[str]]) -> list[Result]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise pymongo.errors.ServerSelectionTimeoutError("mongo away")
        return forward(batch)

    txn = Txn(FakeConsumer({TP0: [b"a"]}), flaky)
    assert txn.loop.run_once() == 0
    assert txn.producers[0].aborts == 1 and TP0 in txn.consumer.paused_set
    txn.run_until(lambda: txn.consumer.committed.get(TP0) == 1)
    assert txn.sent() == [b"a"]


def test_kafka_away_at_init_waits_without_polling() -> None:
    consumer = FakeConsumer({TP0: [b"a"]})
    txn = Txn(consumer)
    failures = {"left": 2}

    def make() -> Any:
        producer = FakeTxnProducer(consumer)
        if failures["left"]:
            failures["left"] -= 1

            def refuse() -> None:
                raise KafkaTimeoutError("no coordinator")

            producer.init_transactions = refuse  # type: ignore[method-assign]
        txn.producers.append(producer)
        return producer

    txn.loop._commits._make_producer = make  # type: ignore[attr-defined]
    assert txn.loop.run_once() == 0 and consumer.positions[TP0] == 0  # nothing polled
    txn.run_until(lambda: consumer.committed.get(TP0) == 1)
    assert txn.sent() == [b"a"] and all(p.closed for p in txn.producers[:2])


def test_timer_work_cannot_be_transactional() -> None:
    with pytest.raises(ValueError, match="timer work"):
        ConsumeLoop(
            FakeConsumer({TP0: []}),  # type: ignore[arg-type]
            lambda: None,  # type: ignore[arg-type, return-value]
            service="test",
            decode=decode,
            handle=forward,
            tick=list,
            transactional=True,
        )
