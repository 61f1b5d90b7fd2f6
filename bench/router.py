"""The router with the shipped rule set (deploy/config: 674 rules, 666 OPDs of Jawa Timur and
Kalimantan Utara), Kafka transactions on, beside a bare kafka-python consume→produce
passthrough of the same records on the same broker, in the same run.

Throughput: a topic pre-filled with `records` ComplaintReceived events (the 287 labelled texts of
tests/data/router, both provinces, cycled); each contender drains it with a fresh group, runs
alternating. Contenders:
- raw passthrough: poll, send each record on unchanged, flush, commit (no transaction);
- router: the service's own wiring (`build_service`) as `serve` runs it: transactions on, the
  routed cases and triage queue written to Mongo after each batch's sends;
- router without Mongo: the same without its case store (what the stores cost).
Every OPD dispatch goes to one sink topic (the template has no `{code}`): creating 666 topics
per run on a shared broker is not on. Production spreads them over many topics' partitions.

Latency: complaints sent at a steady rate (default 200/s) for a while; a read_committed reader
of the OPD sink measures now minus the event time of the received complaint (a dispatch carries its
received event's time, `follow`). The router runs as its own process (`python -m services.router`,
as deployed, stores included); the raw passthrough as a thread of the bench process, beside the
sender and the reader.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from bench.consume_loop import CE_HEADERS, _drain, passthrough
from bench.http_load import free_port, serve
from services.router.cases import MongoCases
from services.router.config import Settings
from services.router.service import build_service, build_store
from services.router.triage import MongoTriage
from shared.config import KafkaSettings, Topics
from shared.events import (
    Channel,
    ComplaintReceived,
    Entry,
    Location,
    Reporter,
    decode,
    encode,
    new_event,
)
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.producer import idempotent_producer
from shared.mongo import mongo_client
from shared.service import ConsumeService

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "router" / "labelled.jsonl"
THROUGHPUT_GOAL = 0.75
P99_GOAL_S = 0.2


def run(*, records: int, repeats: int, rate: float, seconds: float) -> str:
    """Measure throughput and latency; return the report."""
    kafka = KafkaSettings()
    db = f"bench_router_{uuid.uuid4().hex[:8]}"
    try:
        rates = _throughput(kafka, db, records, repeats)
        latencies = _latency(kafka, db, rate, seconds)
    finally:
        client = mongo_client(Settings().mongodb_uri, app_name="bench-router")
        client.drop_database(db)
        client.close()
    head = f"{records} complaints, {repeats} alternating runs each"
    return _report(rates, latencies, head, f"{rate:g}/s for {seconds:g} s")


def _throughput(
    kafka: KafkaSettings, db: str, records: int, repeats: int
) -> dict[str, list[float]]:
    source = _topic(kafka, "source")
    _send(kafka, source, (_event(n) for n in range(records)))
    contenders: dict[str, Callable[[], tuple[int, float]]] = {
        "raw passthrough": lambda: _raw_drain(kafka, source, records),
        "router (transactions, Mongo)": lambda: _router_drain(kafka, db, source, records, True),
        "router (transactions, no Mongo)": lambda: _router_drain(kafka, db, source, records, False),
    }
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, contender in contenders.items():
            done, elapsed = contender()
            rates[name].append(done / elapsed)
    return rates


def _raw_drain(kafka: KafkaSettings, source: str, records: int) -> tuple[int, float]:
    sink = _topic(kafka, "raw-sink")
    with _raw_step(kafka, source, sink) as step:
        return _drain(step, records)


@contextmanager
def _raw_step(kafka: KafkaSettings, source: str, sink: str) -> Iterator[Callable[[], int]]:
    """The baseline: poll, send each record on as it is, flush, commit."""
    consumer = manual_commit_consumer(
        kafka, group_id=f"bench-{uuid.uuid4().hex[:8]}", topics=[source], client_id="bench-raw"
    )
    producer = idempotent_producer(kafka, client_id="bench-raw")
    try:
        yield passthrough(consumer, producer, sink, timeout_ms=100)
    finally:
        consumer.close()
        producer.close()


def _router_drain(
    kafka: KafkaSettings, db: str, source: str, records: int, stores: bool
) -> tuple[int, float]:
    service, _ = _router(kafka, db, source, stores)
    try:
        return _drain(service.loop.run_once, records)
    finally:
        service.close()


def _router(kafka: KafkaSettings, db: str, source: str, stores: bool) -> tuple[ConsumeService, str]:
    """The router's service as `serve` wires it (with or without its Mongo stores), and the
    one topic its assignments and dispatches go to."""
    sink = _topic(kafka, "router-sink")
    group = f"bench-router-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        kafka=kafka,
        topics=Topics(
            received=source, assigned=sink, updates=_topic(kafka, "updates"), opd_template=sink
        ),
        group_id=group,
        transactional_id=group,
        mongodb_database=db,
        log_level="WARNING",
    )
    store = build_store(settings)
    if not stores:
        return build_service(settings, store), sink
    database = mongo_client(settings.mongodb_uri, app_name="bench-router")[db]
    triage = MongoTriage(database[settings.triage_collection])
    cases = MongoCases(database[f"{settings.cases_collection}_{group}"])
    return build_service(settings, store, triage, cases), sink


def _latency(kafka: KafkaSettings, db: str, rate: float, seconds: float) -> dict[str, list[float]]:
    result: dict[str, list[float]] = {}
    source, sink = _topic(kafka, "steady"), _topic(kafka, "raw-sink")
    stop = _raw_thread(kafka, source, sink)
    try:
        result["raw passthrough"] = _measure(kafka, source, sink, rate, seconds)
    finally:
        stop()
    source = _topic(kafka, "steady")
    with _router_process(kafka, db, source) as sink:
        result["router process (as deployed)"] = _measure(kafka, source, sink, rate, seconds)
    return result


@contextmanager
def _router_process(kafka: KafkaSettings, db: str, source: str) -> Iterator[str]:
    """`python -m services.router` on the bench's topics and database, until ready; yields the
    topic its assignments and dispatches go to."""
    sink, group, port = (
        _topic(kafka, "router-sink"),
        f"bench-router-{uuid.uuid4().hex[:8]}",
        free_port(),
    )
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "ROUTER_TOPICS__RECEIVED": source,
        "ROUTER_TOPICS__UPDATES": _topic(kafka, "updates"),
        "ROUTER_TOPICS__ASSIGNED": sink,
        "ROUTER_TOPICS__OPD_TEMPLATE": sink,
        "ROUTER_GROUP_ID": group,
        "ROUTER_TRANSACTIONAL_ID": group,
        "ROUTER_MONGODB_DATABASE": db,
        "ROUTER_CASES_COLLECTION": f"router_cases_{group}",
        "ROUTER_HTTP_PORT": str(port),
        "ROUTER_LOG_LEVEL": "WARNING",
    }
    log = Path(tempfile.mkdtemp(prefix="bench-router-")) / "router.log"
    ready = f"http://127.0.0.1:{port}/readyz"
    with serve(["-m", "services.router"], env=env, log=log, ready_url=ready, timeout_s=120):
        yield sink


def _raw_thread(kafka: KafkaSettings, source: str, sink: str) -> Callable[[], None]:
    halt = threading.Event()

    def loop() -> None:
        with _raw_step(kafka, source, sink) as step:
            while not halt.is_set():
                step()

    return _in_thread(loop, halt.set)


def _in_thread(target: Callable[[], None], stop: Callable[[], None]) -> Callable[[], None]:
    thread = threading.Thread(target=target, name="bench-contender", daemon=True)
    thread.start()

    def halt() -> None:
        stop()
        thread.join(timeout=30)

    return halt


def _measure(
    kafka: KafkaSettings, source: str, sink: str, rate: float, seconds: float
) -> list[float]:
    """Send at `rate` for `seconds` (after the contender has joined its group: a warm-up
    complaint comes through first); return each complaint's received → readable latency."""
    reader = KafkaConsumer(
        **kafka.client_options(), group_id=None, isolation_level="read_committed"
    )
    parts = _partitions(reader, sink)
    reader.assign(parts)
    reader.seek_to_end(*parts)
    _send(kafka, source, [_event(0, "warmup")])
    _read(reader, until=lambda seen: "warmup" in seen, timeout_s=120)  # a group join
    total = int(rate * seconds)
    sender = threading.Thread(target=_steady, args=(kafka, source, rate, total), daemon=True)
    sender.start()
    seen = _read(reader, until=lambda seen: len(seen) >= total, timeout_s=seconds + 60)
    sender.join()
    reader.close()
    return list(seen.values())


def _read(reader: KafkaConsumer, until: Callable[[dict[str, float]], bool], timeout_s: float
          ) -> dict[str, float]:  # fmt: skip
    seen: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    while not until(seen):
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(seen)} complaints came through in {timeout_s:.0f} s")
        for records in reader.poll(timeout_ms=100).values():
            now = time.time()
            for record in records:
                # The router's assignment and dispatch commit together: the first one counts.
                seen.setdefault(record.key.decode(), now - decode(record.value).time.timestamp())
    return seen


def _steady(kafka: KafkaSettings, topic: str, rate: float, total: int) -> None:
    """Send `total` complaints at `rate` per second, each stamped as it is sent."""
    producer = idempotent_producer(kafka, client_id="bench-steady", linger_ms=0)
    started = time.perf_counter()
    for n in range(total):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)  # pacing the open-loop sender, not synchronising a test
        producer.send(topic, key=f"s-{n}".encode(), value=encode(_envelope(n, f"s-{n}")),
                      headers=CE_HEADERS)  # fmt: skip
    producer.flush()
    producer.close()


def _partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]


_TEXTS = [orjson.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line]


def _envelope(n: int, cid: str) -> Any:
    sample = _TEXTS[n % len(_TEXTS)]
    payload = ComplaintReceived(
        tracking_number=f"ADU-RB-{n:06d}",
        channel=Channel(sample.get("channel") or "web"),
        channel_ref=f"bench-router-{cid}",
        received_at=datetime.now(UTC),
        title=sample.get("title") or "Laporan",
        body=sample["text"],
        location=Location(region_code=sample.get("region")),
        reporter=Reporter(name="Warga", phone="+6281234567890"),
        entry=Entry(connector_id="bench"),
    )
    return new_event(payload, complaint_id=cid, source="/aduan/bench")


def _event(n: int, cid: str | None = None) -> tuple[str, bytes]:
    cid = cid or f"r-{n:07d}"
    return cid, encode(_envelope(n, cid))


def _send(kafka: KafkaSettings, topic: str, events: Any) -> None:
    producer = idempotent_producer(kafka, client_id="bench-prefill", linger_ms=20)
    for cid, value in events:
        producer.send(topic, key=cid.encode(), value=value, headers=CE_HEADERS)
    producer.flush()
    producer.close()


def _topic(kafka: KafkaSettings, kind: str) -> str:
    name = f"bench.router.{kind}.{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(name, 3), TopicSpec(name + ".dlq", 3)])
    return name


def _report(
    rates: dict[str, list[float]], latencies: dict[str, list[float]], head: str, steady: str
) -> str:
    raw = rates["raw passthrough"]
    lines = [
        f"Router benchmark: shipped rules ({_rule_count()} rules), {head}",
        f"{'contender':<34}{'median msg/s':>14}   runs (msg/s)",
    ]
    for name, values in rates.items():
        runs = ", ".join(f"{v:,.0f}" for v in values)
        lines.append(f"{name:<34}{statistics.median(values):>14,.0f}   {runs}")
    for name, values in rates.items():
        if name != "raw passthrough":
            # Each run against the raw run of its round: a shared machine's drift cancels out.
            ratio = statistics.median(a / b for a, b in zip(values, raw, strict=True))
            verdict = "meets" if ratio >= THROUGHPUT_GOAL else "BELOW"
            lines.append(f"ratio {name} / raw: {ratio:.2f} ({verdict} the {THROUGHPUT_GOAL} goal)")
    lines.append(f"Latency, received -> readable on the OPD topic, {steady}:")
    for name, values in latencies.items():
        q = statistics.quantiles(values, n=100)
        verdict = "meets" if q[98] < P99_GOAL_S else "ABOVE"
        lines.append(
            f"  {name:<32} p50 {q[49] * 1000:6.0f} ms  p99 {q[98] * 1000:6.0f} ms  "
            f"max {max(values) * 1000:6.0f} ms  ({verdict} the {P99_GOAL_S * 1000:.0f} ms goal; "
            f"n={len(values)})"
        )
    return "\n".join(lines)


def _rule_count() -> int:
    settings = Settings()
    return len(build_store(settings).current().rules)
