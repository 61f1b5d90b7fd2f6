"""Intake with every channel in the mix, beside a bare FastAPI endpoint per channel.

As `bench.intake`, but the load spreads evenly over the seven channel routes (web, call center,
social, e-mail, WhatsApp, SMS, walk-in; bodies from `bench.channel_bodies`), and intake serves
them all (`python -m services.intake`, no `--channel`). The bare contender
(`bench/bare_intake.py`) has the same seven routes, validation only. Runs alternate bare,
intake, each on a fresh process; the ratio is the median of the paired ratios. Then intake alone
gets an open-loop `rate` per second, and its p50 and p99 accept latency from each request's
scheduled start (a 202 means stored).

The store is a fresh database with no pre-loaded complaints (`bench.intake` measures the effect
of the stored count); every HTTP submission also goes through the possible-duplicate look-up and
filing, as in production.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from pymongo import MongoClient

from bench.channel_bodies import mixed
from bench.http_load import (
    ClosedResult,
    Made,
    OpenResult,
    Target,
    closed_loop,
    free_port,
    open_loop,
    serve,
)
from bench.intake import API_KEY, GOAL_P99_MS, GOAL_RATIO, delete_topic, intake_env, mongodb_uri
from services.intake.repository import ComplaintRepository
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics


def routed(tag: str) -> Callable[[int], Made]:
    """`body(i)`: (path, body) of request i, the channels in turn."""
    body = mixed(tag)

    def made(i: int) -> Made:
        channel, raw = body(i)
        return f"/v1/channels/{channel}/complaints", raw

    return made


# Each contender's environment. "on, relay before" is the relay before backlog rounds and
# overlapped marks (rounds of at most 200, each waiting for its mark): the drain's baseline;
# "on, inline marks" has backlog rounds only, to tell the two apart.
VARIANTS = {
    "linking off": {"INTAKE_DUPLICATE_LINKING": "false"},
    "linking on": {"INTAKE_DUPLICATE_LINKING": "true"},
    "on, inline marks": {"INTAKE_DUPLICATE_LINKING": "true", "INTAKE_RELAY_OVERLAP_MARKS": "false"},
    "on, relay before": {
        "INTAKE_DUPLICATE_LINKING": "true",
        "INTAKE_RELAY_BACKLOG_BATCH_SIZE": "200",
        "INTAKE_RELAY_OVERLAP_MARKS": "false",
    },
}


def run(*, repeats: int, workers: int, seconds: float, rate: float, rate_seconds: float) -> str:
    """Measure the mixed load on bare and on intake without and with duplicate linking."""
    kafka = KafkaSettings()
    mongodb = mongodb_uri()
    tag = uuid.uuid4().hex[:8]
    topic, database = f"bench.intakemix.{tag}.received", f"bench_intakemix_{tag}"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, 3)])
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb)
    bare: list[ClosedResult] = []
    intake: dict[str, list[ClosedResult]] = {name: [] for name in VARIANTS}
    latency: dict[str, OpenResult] = {}
    drained: dict[str, list[float]] = {name: [] for name in VARIANTS}
    complaints = client[database]["intake_complaints"]
    try:
        ComplaintRepository(complaints).ensure_indexes()
        env = intake_env(
            database=database, topic=topic, kafka=kafka.bootstrap_servers, mongodb=mongodb
        )
        with tempfile.TemporaryDirectory(prefix="bench-intake-mix-") as tmp:
            logs = Path(tmp)
            for r in range(repeats):
                bare.append(_bare(logs, routed(f"b{tag}{r}"), workers, seconds))
                for n, (name, variant) in enumerate(VARIANTS.items()):
                    # Each contender links against an empty window, not the one before's.
                    client[database]["intake_fingerprints"].drop()
                    with _intake(logs, env | variant) as target:
                        body = routed(f"i{tag}{r}v{n}")
                        intake[name].append(
                            closed_loop(
                                target, body, workers=workers, seconds=seconds, warmup_s=2.0
                            )
                        )
                        # The relay marks possible duplicates as it sends: a relay that falls
                        # behind would only move the cost, so say how long it took to catch up.
                        drained[name].append(_drained(complaints, kafka, topic))
                    done = intake[name][-1]
                    _progress(
                        f"mixed intake bench: bare {bare[-1].rate:,.0f}/s, intake {name} "
                        f"{done.rate:,.0f}/s (failed {done.failed}: {done.statuses}), "
                        f"all sent {drained[name][-1]:.1f} s after the load"
                    )
            for n, (name, variant) in enumerate(VARIANTS.items()):
                with _intake(logs, env | variant) as target:
                    body = routed(f"o{tag}v{n}")
                    open_loop(target, body, rate=rate, seconds=1.0, connections=64)  # warm-up
                    latency[name] = open_loop(
                        target, _shifted(body), rate=rate, seconds=rate_seconds, connections=64
                    )
    finally:
        client.drop_database(database)
        client.close()
        delete_topic(kafka, topic)
    header = (
        f"intake, all 7 channels in turn, vs bare FastAPI routes (validation only): {workers} "
        f"keep-alive workers, {seconds:.0f} s per run, alternating; then each intake alone at "
        f"{rate:.0f} req/s open loop for {rate_seconds:.0f} s"
    )
    return (
        _table(header, bare, intake, latency)
        + "\n"
        + "\n".join(
            f"intake, {name}: every accepted complaint sent to Kafka within "
            + ", ".join(f"{d:.1f}" for d in runs)
            + " s of the load's end"
            for name, runs in drained.items()
        )
    )


def _drained(complaints: Any, kafka: KafkaSettings, topic: str, timeout_s: float = 300.0) -> float:
    """Seconds until the received topic holds an event for every stored complaint. Counted from
    the topic's end offsets and the collection's size (both cheap): a count of the pending
    complaints is a scan on FerretDB, and polling it held the store the relay was writing to."""
    consumer = KafkaConsumer(**kafka.client_options())
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        began = time.monotonic()
        while (
            sum(consumer.end_offsets(partitions).values()) < complaints.estimated_document_count()
        ):
            if time.monotonic() - began > timeout_s:
                return float("inf")
            time.sleep(0.2)  # polling the broker between looks, not synchronising a test
        return time.monotonic() - began
    finally:
        consumer.close()


def _shifted(body: Callable[[int], Made]) -> Callable[[int], Made]:
    """The same bodies past the warm-up's: new references."""
    return lambda i: body(i + 1_000_000)


def _bare(logs: Path, body: Callable[[int], Made], workers: int, seconds: float) -> ClosedResult:
    port = free_port()
    args = ["-m", "uvicorn", "bench.bare_intake:app", "--port", str(port), "--log-level", "warning"]
    with serve(args, env={}, log=logs / "bare.log", ready_url=f"http://127.0.0.1:{port}/healthz"):
        target = Target(port, "/", {"X-Api-Key": API_KEY})
        return closed_loop(target, body, workers=workers, seconds=seconds, warmup_s=2.0)


@contextmanager
def _intake(logs: Path, env: dict[str, str], module: str = "services.intake") -> Iterator[Target]:
    """A fresh intake serving every channel, ready; stopped on the way out."""
    port = free_port()
    with serve(
        ["-m", module],
        env={**env, "INTAKE_HTTP_PORT": str(port)},
        log=logs / "intake.log",
        ready_url=f"http://127.0.0.1:{port}/readyz",
    ):
        yield Target(port, "/", {"X-Api-Key": API_KEY})


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _table(
    header: str,
    bare: list[ClosedResult],
    intake: dict[str, list[ClosedResult]],
    latency: dict[str, OpenResult],
) -> str:
    lines = [
        header,
        f"{'contender':<19}{'req/s':>7}  {'ratio':>5}  {'p50 ms':>8}  {'p99 ms':>8}  "
        f"{'max ms':>7}  runs (req/s)",
        f"{'bare':<19}{statistics.median(b.rate for b in bare):>7,.0f}  {'':>5}  {'':>8}  "
        f"{'':>8}  {'':>7}  " + ", ".join(f"{b.rate:,.0f}" for b in bare),
    ]
    for name, runs in intake.items():
        ratio = statistics.median(i.rate / b.rate for b, i in zip(bare, runs, strict=True))
        lat = latency[name]
        failed = sum(i.failed for i in runs) + lat.failed
        lines.append(
            f"{'intake, ' + name:<19}{statistics.median(i.rate for i in runs):>7,.0f}  "
            f"{ratio:>5.2f}  {lat.p50_ms:>8,.1f}  {lat.p99_ms:>8,.1f}  {lat.max_ms:>7,.0f}  "
            + ", ".join(f"{i.rate:,.0f}" for i in runs)
            + (f"  ({failed} answers not 202)" if failed else "")
            + f"  [{_verdict(ratio >= GOAL_RATIO, 'BELOW')} {GOAL_RATIO}; p99 "
            f"{_verdict(lat.p99_ms < GOAL_P99_MS, 'ABOVE')} {GOAL_P99_MS:.0f} ms]"
        )
    return "\n".join(lines)


def _verdict(met: bool, otherwise: str) -> str:
    return "meets" if met else otherwise


def main() -> int:
    """`python -m bench.intake_mix`: one quick pair and 10 s at 200 req/s."""
    sys.stdout.write(run(repeats=1, workers=64, seconds=10, rate=200, rate_seconds=10) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
