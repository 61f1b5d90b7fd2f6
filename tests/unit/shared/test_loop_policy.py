"""The consume loop's error policy, every branch, on in-memory fakes of the Kafka clients.
(tests/integration/shared/test_consume_loop.py runs the same loop on the real Kafka.)"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pymongo.errors
import pytest
from kafka.errors import CommitFailedError, KafkaConnectionError
from kafka.structs import TopicPartition
from pydantic import BaseModel, Field

from shared import headers
from shared.kafka.loop import ConsumeLoop, LoopPolicy, Stalled
from shared.kafka.records import Outgoing, Received, Refused, Result, Then
from shared.retry import Backoff
from tests.support.wait import wait_until
from tests.unit.shared.loop_fakes import FakeConsumer, FakeProducer

TP0, TP1 = TopicPartition("in", 0), TopicPartition("in", 1)
FAST = LoopPolicy(backoff=Backoff(base_s=0.001, cap_s=0.002), stall_limit_s=60, idle_probe_s=0)


class Complaint(BaseModel):
    nik: str = Field(pattern=r"^\d{16}$")
    phone: str = Field(default="+6281234567890", pattern=r"^\+628\d{8,11}$")
    name: str = Field(default="Siti", max_length=8)


def decode(raw: bytes) -> str:
    if raw.startswith(b"{"):
        return Complaint.model_validate_json(raw).nik
    if raw == b"poison":
        raise ValueError("not a record")
    return raw.decode()


def forward(batch: Sequence[Received[str]]) -> list[Result]:
    return [Outgoing("out", "k", r.item.encode()) for r in batch]


def make_loop(
    consumer: FakeConsumer,
    handle: Callable[[Sequence[Received[str]]], list[Result]] = forward,
    policy: LoopPolicy = FAST,
) -> tuple[ConsumeLoop[str], list[FakeProducer]]:
    producers: list[FakeProducer] = []

    def make_producer() -> Any:
        producers.append(FakeProducer())
        return producers[-1]

    loop: ConsumeLoop[str] = ConsumeLoop(
        consumer,  # type: ignore[arg-type]
        make_producer,
        service="test",
        decode=decode,
        handle=handle,
        policy=policy,
    )
    return loop, producers


def sent(producers: list[FakeProducer], topic: str = "out") -> list[bytes]:
    return [value for p in producers for (t, _, value, _) in p.sent if t == topic]


def run_until(loop: ConsumeLoop[Any], condition: Callable[[], bool]) -> None:
    wait_until(lambda: loop.run_once() >= 0 and condition(), timeout=10, interval=0)


def test_a_batch_is_handled_sent_and_then_committed() -> None:
    consumer = FakeConsumer({TP0: [b"a", b"b"], TP1: [b"c"]})
    loop, producers = make_loop(consumer)
    assert loop.run_once() == 3
    assert sorted(sent(producers)) == [b"a", b"b", b"c"]
    assert consumer.committed == {TP0: 2, TP1: 1}


def test_poison_is_dead_lettered_at_once_with_its_origin_and_the_next_record_flows() -> None:
    consumer = FakeConsumer({TP0: [b"poison", b"b"]})
    loop, producers = make_loop(consumer)
    loop.run_once()
    [(_topic, _key, value, hdrs)] = [s for p in producers for s in p.sent if s[0] == "in.dlq"]
    found = dict(hdrs)
    assert (value, found[headers.DLQ_SOURCE_OFFSET]) == (b"poison", b"0")
    assert found[headers.DLQ_ERROR_CLASS] == b"ValueError"
    assert sent(producers) == [b"b"]
    assert consumer.committed == {TP0: 2}


def test_a_dead_letter_never_carries_the_invalid_values(caplog: pytest.LogCaptureFixture) -> None:
    bad = (
        b'{"nik": "35780145019000x1", "phone": "0812-3456-78901x", "name": "Siti Rahayu Wulandari"}'
    )
    consumer = FakeConsumer({TP0: [bad]})
    loop, producers = make_loop(consumer)
    loop.run_once()
    [(_, _, _, hdrs)] = [s for p in producers for s in p.sent if s[0] == "in.dlq"]
    message = dict(hdrs)[headers.DLQ_ERROR_MESSAGE].decode()
    assert all(field in message for field in ("nik", "phone", "name"))
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for value in ("35780145019000x1", "0812-3456-78901x", "Rahayu"):
        assert value not in message and value not in logged


def test_a_record_the_handler_refuses_is_dead_lettered_and_the_rest_sent() -> None:
    def refuse_b(batch: Sequence[Received[str]]) -> list[Result]:
        return [Refused(r, ValueError("no")) if r.item == "b" else forward([r])[0] for r in batch]

    consumer = FakeConsumer({TP0: [b"a", b"b", b"c"]})
    loop, producers = make_loop(consumer, refuse_b)
    loop.run_once()
    assert sent(producers) == [b"a", b"c"] and sent(producers, "in.dlq") == [b"b"]
    assert consumer.committed == {TP0: 3}


def test_a_batch_that_raises_is_split_so_only_the_bad_record_is_dead_lettered() -> None:
    def bug_on_b(batch: Sequence[Received[str]]) -> list[Result]:
        if any(r.item == "b" for r in batch):
            raise KeyError("b")
        return forward(batch)

    consumer = FakeConsumer({TP0: [b"a", b"b", b"c"]})
    loop, producers = make_loop(consumer, bug_on_b)
    loop.run_once()
    assert sent(producers) == [b"a", b"c"] and sent(producers, "in.dlq") == [b"b"]


def test_an_outage_pauses_retries_without_dead_letters_and_resumes_by_itself() -> None:
    down = threading.Event()
    down.set()

    def needs_mongo(batch: Sequence[Received[str]]) -> list[Result]:
        if down.is_set():
            raise pymongo.errors.ServerSelectionTimeoutError("mongo away")
        return forward(batch)

    consumer = FakeConsumer({TP0: [b"a"], TP1: [b"b"]})
    loop, producers = make_loop(consumer, needs_mongo)
    for _ in range(5):
        loop.run_once()
    assert consumer.committed == {} and sent(producers, "in.dlq") == []
    assert loop.progress.down().keys() == {"mongo"}
    with pytest.raises(RuntimeError, match="mongo unavailable"):
        loop.progress.ready_check()
    down.clear()
    run_until(loop, lambda: consumer.committed == {TP0: 1, TP1: 1})
    assert sorted(sent(producers)) == [b"a", b"b"]
    assert loop.progress.down() == {} and consumer.paused_set == set()
    loop.progress.ready_check()


def test_partitions_are_paused_while_waiting() -> None:
    def away(batch: Sequence[Received[str]]) -> list[Result]:
        raise pymongo.errors.AutoReconnect("away")

    slow = LoopPolicy(backoff=Backoff(base_s=30, cap_s=30), idle_probe_s=0)
    consumer = FakeConsumer({TP0: [b"a"]})
    loop, _ = make_loop(consumer, away, slow)
    loop.run_once()
    assert consumer.paused_set == {TP0} and consumer.positions[TP0] == 0


def test_a_failed_send_holds_the_batch_and_starts_a_fresh_producer() -> None:
    consumer = FakeConsumer({TP0: [b"a", b"b"]})
    loop, producers = make_loop(consumer)
    loop._commits.producer()  # made now, so the test can make its sends fail
    producers[0].fail_sends = 1
    loop.run_once()
    assert consumer.committed == {} and producers[0].closed
    run_until(loop, lambda: consumer.committed == {TP0: 2})
    assert len(producers) == 2 and sent(producers[1:]) == [b"a", b"b"]


def test_a_failed_commit_holds_the_batch_and_a_fenced_one_does_not() -> None:
    consumer = FakeConsumer({TP0: [b"a"]})
    loop, _producers = make_loop(consumer)
    consumer.commit_error = KafkaConnectionError("coordinator away")
    loop.run_once()
    assert consumer.positions[TP0] == 0 and loop.progress.down().keys() == {"kafka"}
    consumer.commit_error = CommitFailedError()
    run_until(loop, lambda: loop.progress.down() == {})
    assert consumer.committed == {}, "fenced: the partition's new owner replays it"


def test_a_rebalance_during_an_outage_resumes_only_what_is_still_assigned() -> None:
    down = threading.Event()
    down.set()

    def needs_mongo(batch: Sequence[Received[str]]) -> list[Result]:
        if down.is_set():
            raise pymongo.errors.AutoReconnect("away")
        return forward(batch)

    consumer = FakeConsumer({TP0: [b"a"], TP1: [b"b"]})
    loop, producers = make_loop(consumer, needs_mongo)
    loop.run_once()
    consumer.rebalance(keep=[TP1])
    down.clear()
    run_until(loop, lambda: consumer.committed == {TP1: 1})
    assert sent(producers) == [b"b"]


def test_a_stop_during_an_outage_ends_the_run_without_committing() -> None:
    def away(batch: Sequence[Received[str]]) -> list[Result]:
        raise pymongo.errors.AutoReconnect("away")

    consumer = FakeConsumer({TP0: [b"a"]})
    loop, _ = make_loop(consumer, away)
    thread = threading.Thread(target=loop.run)
    thread.start()
    wait_until(lambda: loop.progress.down() != {}, timeout=5)
    loop.stop()
    thread.join(timeout=5)
    assert not thread.is_alive() and consumer.committed == {}


def test_records_waiting_past_the_stall_limit_fail_liveness_and_end_the_run() -> None:
    def away(batch: Sequence[Received[str]]) -> list[Result]:
        raise pymongo.errors.AutoReconnect("away")

    policy = LoopPolicy(backoff=Backoff(base_s=0.001, cap_s=0.002), stall_limit_s=0.05)
    consumer = FakeConsumer({TP0: [b"a"]})
    loop, _ = make_loop(consumer, away, policy)
    live = loop.progress.live_check(max_age_s=60)
    with pytest.raises(Stalled, match="no progress"):
        wait_until(lambda: loop.run_once() < 0, timeout=5, interval=0)
    with pytest.raises(RuntimeError, match="no progress"):
        live()


def test_then_work_runs_after_the_sends_and_its_outage_holds_the_batch() -> None:
    order: list[str] = []
    fail = [True]

    def store() -> None:
        order.append(f"store after {len(sent(producers))} sends")
        if fail[0]:
            fail[0] = False
            raise pymongo.errors.AutoReconnect("away")

    def with_store(batch: Sequence[Received[str]]) -> list[Result]:
        return [*forward(batch), Then(store)]

    consumer = FakeConsumer({TP0: [b"a"]})
    loop, producers = make_loop(consumer, with_store)
    loop.run_once()
    assert consumer.committed == {}
    run_until(loop, lambda: consumer.committed == {TP0: 1})
    assert order == ["store after 1 sends", "store after 2 sends"]


def test_a_failing_poll_is_an_outage_not_a_crash() -> None:
    consumer = FakeConsumer({TP0: [b"a"]})
    loop, _ = make_loop(consumer)
    consumer.poll_error = KafkaConnectionError("broker away")
    assert loop.run_once() == 0
    assert loop.progress.down().keys() == {"kafka"}
    consumer.poll_error = None
    run_until(loop, lambda: consumer.committed == {TP0: 1})
    assert loop.progress.down() == {}
