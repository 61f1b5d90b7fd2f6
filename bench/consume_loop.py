"""The shared consume loop against a raw kafka-python consume→produce passthrough.

Both read the same pre-filled topic (fresh consumer group each run), write every record to a
sink topic with the same idempotent producer settings, flush and commit once per polled batch.
The loop also decodes and validates each record into its pydantic event, calls a handler that
forwards the event unchanged, and encodes it again: everything a service's hot path pays.
Runs alternate (raw, loop, raw, loop, …) so drift on a noisy machine hits both alike.

A third contender, the loop with Python's default garbage collection (`gc.unfreeze` and the
default thresholds after the loop is built: as it ran before 2026-11-29, see
`shared.kafka.loop.tune_collector`), runs in the same alternation, so the effect is measured
before/after in the same run. The raw passthrough runs with the defaults too.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from shared import headers
from shared.config import KafkaSettings
from shared.events import (
    CONTENT_TYPE,
    ComplaintReceived,
    Entry,
    Location,
    Reporter,
    encode,
    new_event,
)
from shared.events.envelope import Envelope
from shared.events.registry import decode
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop, Outgoing, Received
from shared.kafka.producer import idempotent_producer

GOAL = 0.8
RAW, LOOP, UNFROZEN = "raw passthrough", "shared consume loop", "loop, default GC"
DEFAULT_GC = (700, 10, 10)
# Every event on our topics carries the CloudEvents structured-mode content type.
CE_HEADERS = [(headers.CONTENT_TYPE, CONTENT_TYPE.encode())]


def run(*, records: int, repeats: int) -> str:
    """Measure both contenders `repeats` times over `records` records; return the table."""
    settings = KafkaSettings()
    source = _prefill(settings, records)
    sink = f"bench.sink.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings.bootstrap_servers, [TopicSpec(sink, 3), TopicSpec(sink + ".dlq", 3)])
    rates: dict[str, list[float]] = {RAW: [], UNFROZEN: [], LOOP: []}
    for _ in range(repeats):
        rates[RAW].append(_timed(records, lambda: _raw(settings, source, sink, records)))
        rates[UNFROZEN].append(
            _timed(records, lambda: _loop(settings, source, sink, records, freeze=False))
        )
        rates[LOOP].append(_timed(records, lambda: _loop(settings, source, sink, records)))
    return _table(rates, records, repeats)


def _sample_event(n: int) -> bytes:
    payload = ComplaintReceived(
        tracking_number=f"ADU-BNCH-{n:05d}",
        channel="web",
        channel_ref=f"bench-{n}",
        received_at=datetime.now(UTC),
        title="Jalan berlubang di depan pasar",
        body="Jalan berlubang besar di depan pasar sudah tiga bulan, membahayakan pengendara.",
        location=Location(text="Jl. Ahmad Yani", region_code="35.78"),
        reporter=Reporter(name="Warga", phone="+6281234567890"),
        tags=["jalan"],
        entry=Entry(connector_id="bench"),
    )
    return encode(new_event(payload, complaint_id=f"bench-{n}", source="/aduan/bench"))


def _prefill(settings: KafkaSettings, records: int) -> str:
    topic = f"bench.source.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings.bootstrap_servers, [TopicSpec(topic, 3)])
    producer = idempotent_producer(settings, client_id="bench-prefill", linger_ms=20)
    for n in range(records):
        producer.send(topic, key=f"bench-{n}".encode(), value=_sample_event(n), headers=CE_HEADERS)
    producer.flush()
    producer.close()
    return topic


def _timed(records: int, contender: Callable[[], tuple[int, float]]) -> float:
    """Return the contender's rate in records per second."""
    done, elapsed = contender()
    if done <= 0:
        raise RuntimeError("no records were timed")
    return done / elapsed


def _drain(step: Callable[[], int], records: int) -> tuple[int, float]:
    """Call `step` (one poll and its processing) until `records` are done. The clock starts
    after the first batch, so the consumer group join (seconds, the same for both) is not
    timed; return the records processed while the clock ran and the time it took."""
    first = 0
    while not first:
        first = step()
    started, done = time.perf_counter(), 0
    while first + done < records:
        done += step()
    return done, time.perf_counter() - started


def _consumer(settings: KafkaSettings, topic: str) -> KafkaConsumer:
    return manual_commit_consumer(
        settings, group_id=f"bench-{uuid.uuid4().hex[:8]}", topics=[topic], client_id="bench"
    )


def _producer(settings: KafkaSettings) -> KafkaProducer:
    return idempotent_producer(settings, client_id="bench")


def _raw(settings: KafkaSettings, source: str, sink: str, records: int) -> tuple[int, float]:
    """The baseline: poll, send each record on as it is (key, value, headers), flush, commit."""
    _default_gc()  # as a process without the loop
    consumer, producer = _consumer(settings, source), _producer(settings)

    try:
        return _drain(passthrough(consumer, producer, sink), records)
    finally:
        consumer.close()
        producer.close()


def passthrough(
    consumer: KafkaConsumer, producer: KafkaProducer, sink: str, *, timeout_ms: int = 500
) -> Callable[[], int]:
    """The raw baseline's step: poll, send each record on as it is (key, value, headers),
    flush, commit; return how many records it forwarded."""

    def step() -> int:
        batch = consumer.poll(timeout_ms=timeout_ms)
        for tp_records in batch.values():
            for record in tp_records:
                producer.send(sink, key=record.key, value=record.value, headers=record.headers)
        if batch:
            producer.flush()
            consumer.commit()
        return sum(len(tp_records) for tp_records in batch.values())

    return step


def _loop(
    settings: KafkaSettings, source: str, sink: str, records: int, *, freeze: bool = True
) -> tuple[int, float]:
    """The contender: the shared loop with a handler that forwards the event unchanged
    (`freeze=False`: with Python's default garbage collection, as before `tune_collector`)."""
    consumer = _consumer(settings, source)

    def forward(batch: Sequence[Received[Envelope[ComplaintReceived]]]) -> list[Outgoing]:
        return [Outgoing.event(sink, received.item) for received in batch]

    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer, lambda: _producer(settings), service="bench", decode=decode, handle=forward
    )
    if not freeze:
        _default_gc()
    try:
        return _drain(loop.run_once, records)
    finally:
        loop.close()
        consumer.close()


def _default_gc() -> None:
    gc.unfreeze()
    gc.set_threshold(*DEFAULT_GC)


def _table(rates: dict[str, list[float]], records: int, repeats: int) -> str:
    raw, loop, unfrozen = rates[RAW], rates[LOOP], rates[UNFROZEN]
    # Each loop run is compared with the raw run just before it, so slow drift of a shared
    # machine cancels out; the median of those pairs is the figure.
    ratio = statistics.median(a / b for a, b in zip(loop, raw, strict=True))
    before = statistics.median(a / b for a, b in zip(unfrozen, raw, strict=True))
    lines = [
        f"Consume loop benchmark: {records} records of ~1 kB, {repeats} alternating runs each",
        f"{'contender':<22}{'median msg/s':>14}   runs (msg/s)",
    ]
    for name, values in rates.items():
        runs = ", ".join(f"{v:,.0f}" for v in values)
        lines.append(f"{name:<22}{statistics.median(values):>14,.0f}   {runs}")
    verdict = "meets" if ratio >= GOAL else "BELOW"
    lines.append(
        f"ratio loop / raw (median of paired runs): {ratio:.2f} ({verdict} the goal of {GOAL}); "
        f"default GC / raw: {before:.2f}"
    )
    return "\n".join(lines)
