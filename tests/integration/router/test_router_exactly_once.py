"""Exactly once on the real Kafka: the router process is SIGKILLed at random points while a
stream of complaints flows; afterwards every complaint has exactly one committed assignment
and exactly one dispatched record, on its own OPD's topic (read with read_committed).

Kill points alternate between "the group committed past a random offset" and "records of an
open transaction reached the assigned topic" (its high watermark moved), so kills land between
transactions and inside them. Set ROUTER_EO_SEED to replay a run's kill points.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from router_kafka import OPD_CODES, SMALL, RouterTopics, received_event

from tests.support.kafka import committed_offsets, send_records
from tests.support.processes import ServiceProcess, free_port
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration

N = 2_000
KILLS = 8
# Body -> the OPD the small rule set routes it to (region 35.78).
BODIES = {
    "jalan berlubang di depan pasar": "3578-pupr",
    "antrian puskesmas lama sekali": "3578-dinkes",
    "lampu jalan mati total": "3578-dishub",
    "pungutan di sma negeri": "35-disdik",
    "sampah menumpuk di gang": "3578-dlh",
    "ktp belum jadi tiga bulan": "3578-dispendukcapil",
    "selamat pagi bapak wali kota": "35-triage",
}


def _env(topics: RouterTopics, port: int) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": topics.bootstrap,
        "ROUTER_HTTP_PORT": str(port),
        "ROUTER_TOPICS__RECEIVED": topics.received,
        "ROUTER_TOPICS__UPDATES": topics.updates,
        "ROUTER_MONGODB_DATABASE": topics.database,
        "ROUTER_TOPICS__ASSIGNED": topics.assigned,
        "ROUTER_TOPICS__OPD_TEMPLATE": topics.opd_template,
        "ROUTER_GROUP_ID": topics.group,
        "ROUTER_TRANSACTIONAL_ID": f"router-{topics.group}",  # the same instance, restarted
        "ROUTER_SESSION_TIMEOUT_MS": "6000",
        "ROUTER_MAX_POLL_RECORDS": "40",  # many small transactions: more places to die
        "ROUTER_OPD_FILE": str(SMALL / "opd.yaml"),
        "ROUTER_RULES_FILE": str(SMALL / "rules.yaml"),
        "ROUTER_LOG_LEVEL": "WARNING",
    }


def _committed_total(topics: RouterTopics) -> int:
    offsets = committed_offsets(topics.bootstrap, topics.group)
    return sum(max(o, 0) for tp, o in offsets.items() if tp.topic == topics.received)


def _high_watermark(topics: RouterTopics) -> int:
    consumer = KafkaConsumer(bootstrap_servers=topics.bootstrap)  # read_uncommitted: open txns
    try:
        parts = [TopicPartition(topics.assigned, p) for p in range(3)]
        return sum(consumer.end_offsets(parts).values())
    finally:
        consumer.close()


def _read_committed(bootstrap: str, topic: str) -> list[Any]:
    """Everything committed on `topic`, up to its last stable offsets."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, isolation_level="read_committed", enable_auto_commit=False
    )
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        records: list[Any] = []

        def at_end() -> bool:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            return all(consumer.position(tp) >= ends[tp] for tp in parts)

        wait_until(at_end, timeout=60, interval=0, message=f"the end of {topic}")
        return records
    finally:
        consumer.close()


def _kill_at_random_points(topics: RouterTopics, rng: random.Random, log: Path) -> None:
    for kill in range(KILLS):
        port = free_port()
        env = _env(topics, port)
        with ServiceProcess.start("router", ["-m", "services.router"], log=log, env=env) as router:
            if kill % 2 == 0:
                target = min(N - 1, _committed_total(topics) + rng.randint(1, N // KILLS))
                wait_until(lambda t=target: _committed_total(topics) >= t, timeout=90)  # type: ignore[misc]
            else:
                target = _high_watermark(topics) + rng.randint(1, 60)
                wait_until(lambda t=target: _high_watermark(topics) >= t, timeout=90)  # type: ignore[misc]
            router.kill()  # SIGKILL: no flush, no commit, an open transaction left behind


def test_sigkill_at_random_points_neither_drops_nor_duplicates(
    topics: RouterTopics, tmp_path: Path
) -> None:
    seed = int(os.environ.get("ROUTER_EO_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    bodies = list(BODIES)
    expected = {f"c-{i:05d}": BODIES[bodies[i % len(bodies)]] for i in range(N)}
    stream = [
        (cid, received_event(cid, bodies[i % len(bodies)], region="35.78"))
        for i, cid in enumerate(expected)
    ]
    sender = threading.Thread(
        target=send_records, args=(topics.bootstrap, topics.received, stream, 120)
    )
    sender.start()
    _kill_at_random_points(topics, rng, tmp_path / "router.log")
    sender.join(timeout=120)

    port = free_port()
    env = _env(topics, port)
    with ServiceProcess.start("router", ["-m", "services.router"], log=tmp_path / "router.log",
                              env=env) as router:  # fmt: skip
        wait_until(lambda: _committed_total(topics) >= N, timeout=120, message=f"seed {seed}")
        assert router.stop() == 0

    assigned = Counter(r.key.decode() for r in _read_committed(topics.bootstrap, topics.assigned))
    assert assigned == Counter(expected.keys()), f"seed {seed}: assignments differ"
    for code in OPD_CODES:
        dispatched = Counter(
            r.key.decode() for r in _read_committed(topics.bootstrap, topics.opd(code))
        )
        wanted = Counter(cid for cid, opd in expected.items() if opd == code)
        assert dispatched == wanted, f"seed {seed}: {code} differs"
