"""Publisher throughput: resolved cases per second to a LAPOR! contract server answering in
200 ms, through the real wiring (Kafka topic, consume loop, ledger on the MongoDB at
MONGODB_URI, concurrent sends). Each case is two calls (create, then the resolution as a
follow-up), so one-at-a-time would manage 2.5 cases/s; the goal is at least 200.

    python -m bench.publisher [--cases 3000] [--latency-ms 200] [--in-flight 128]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
from pydantic import SecretStr
from pymongo import MongoClient

from services.publisher.config import LaporSettings, Settings
from services.publisher.service import build
from shared.config import KafkaSettings, Topics
from shared.events import CaseResolved, encode, new_event
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.producer import idempotent_producer

TOKEN = "bench-token"  # noqa: S105 - the in-process contract server's token


def main(argv: list[str] | None = None) -> int:
    """Run once and print cases/s."""
    parser = argparse.ArgumentParser(prog="python -m bench.publisher", description=__doc__)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=128)
    args = parser.parse_args(argv)
    rate = run(cases=args.cases, latency_ms=args.latency_ms, in_flight=args.in_flight)
    sys.stdout.write(
        f"publisher: {rate:.0f} cases/s to LAPOR! at {args.latency_ms} ms per call "
        f"({args.cases} cases, {args.in_flight} in flight, 2 calls per case)\n"
    )
    return 0


def run(*, cases: int, latency_ms: int, in_flight: int) -> float:
    """Return cases per second from the first poll to the last case finished at LAPOR!."""
    kafka = KafkaSettings(
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    )
    mongodb_uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/")
    base_url, server = _serve()
    http = httpx.Client(base_url=base_url, timeout=10)
    http.post("/_contract/faults", json={"delay_ms": latency_ms}).raise_for_status()
    suffix = uuid.uuid4().hex[:8]
    topic, database = f"bench.resolved.{suffix}", f"bench_publisher_{suffix}"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, 3, dead_letter=True)])
    _prefill(kafka, topic, cases)
    settings = Settings(
        topics=Topics(resolved=topic), group_id=f"bench-{suffix}", mongodb_uri=mongodb_uri,
        mongodb_database=database, kafka=kafka, max_in_flight=in_flight, max_poll_records=500,
        lapor=LaporSettings(base_url=base_url, token=SecretStr(TOKEN)),
    )  # fmt: skip
    service = build(settings)
    worker = threading.Thread(target=service.loop.run, daemon=True)
    started = time.perf_counter()
    worker.start()
    try:
        _wait_done(http, cases)
        return cases / (time.perf_counter() - started)
    finally:
        service.loop.stop()
        worker.join(timeout=60)
        service.close()
        server.terminate()
        server.wait(timeout=10)
        MongoClient(mongodb_uri).drop_database(database)


def _serve() -> tuple[str, subprocess.Popen[bytes]]:
    """Run the LAPOR! contract server as its own process (as in production, the target does
    not share our interpreter) on a free port; wait until it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [sys.executable, "deploy/local/lapor_server.py", "--port", str(port), "--token", TOKEN]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/healthz").status_code == 200:
                return base_url, server
        time.sleep(0.1)
    server.kill()
    raise TimeoutError("the contract server did not start")


def _prefill(kafka: KafkaSettings, topic: str, cases: int) -> None:
    producer = idempotent_producer(kafka, client_id="bench-publisher", linger_ms=20)
    for n in range(cases):
        event = new_event(_case(n), complaint_id=f"01BENCH{n:019d}", source="/bench")
        producer.send(topic, key=event.subject.encode(), value=encode(event))
    producer.flush()
    producer.close()


def _case(n: int) -> CaseResolved:
    now = datetime.now(UTC)
    return CaseResolved.model_validate({
        "tracking_number": f"ADU-BENCH-{n}", "channel": "web", "title": "Lampu jalan mati",
        "body": "Lampu penerangan jalan di depan sekolah mati sejak seminggu.",
        "classification": "pengaduan", "opd_code": "dishub", "anonymous": False,
        "confidential": False, "received_at": now, "resolved_at": now,
        "resolution": "Lampu sudah diganti.", "case_version": 1,
    })  # fmt: skip


def _wait_done(http: httpx.Client, cases: int) -> None:
    """Poll the contract server until every case has its resolution (a bench may poll)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done = sum(
            1 for c in http.get("/_contract/received").json()["complaints"] if c["follow_ups"]
        )
        if done >= cases:
            return
        time.sleep(0.5)
    raise TimeoutError("the publisher did not finish in 10 minutes")


if __name__ == "__main__":
    raise SystemExit(main())
