"""Intake's accepted complaints per second, with durable writes, beside a bare FastAPI endpoint.

Both contenders are real processes on this machine, driven by the same load generator
(`bench.http_load`, in this process) with the same web-form bodies, each with a fresh form id:

- intake: `python -m services.intake --channel web` (uvicorn, the gate, validation, the group
  commit into the local MongoDB-wire store at MONGODB_URI, and the outbox relay sending each
  ComplaintReceived to the real Kafka). A 202 means the complaint is stored.
- bare: `uvicorn bench.bare_intake:app`, the same route and pydantic model, validation only.

Each run starts its contender afresh (so intake's relay does not load the store while the bare
one is measured) and alternates: bare, intake, bare, intake. The closed-loop figure is the
answers per second of N concurrent keep-alive workers; the ratio is the median of the paired
ratios (each intake run against the bare run just before it). Then intake alone gets an
open-loop 200 requests per second, and its p50 and p99 latency from each request's scheduled
start.

Before the runs at each size, the intake collection (a fresh database per bench, dropped
afterwards) is filled with `insert_many` up to that many stored complaints: valid stored
documents of the web channel, their outbox already published. The complaints the runs accept
stay in it, so the count is "at least"; the table gives the count at the start of each size.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from pymongo import MongoClient
from pymongo.collection import Collection

from bench.http_load import (
    ClosedResult,
    OpenResult,
    Target,
    closed_loop,
    free_port,
    open_loop,
    serve,
)
from services.intake.accept import build_complaint
from services.intake.adapters.base import Receipt
from services.intake.adapters.web import ADAPTER
from services.intake.repository import ComplaintRepository
from services.intake.tracking import ALPHABET, PREFIX
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics

GOAL_RATIO = 0.5
GOAL_P99_MS = 50.0
PATH = "/v1/channels/web/complaints"
API_KEY = "bench-intake-key"
CONNECTOR = "bench-connector"
PRELOAD_CHUNK = 1_000
DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/"

FORM: dict[str, Any] = {
    "title": "Jalan berlubang di Jl. Ahmad Yani",
    "body": "Jalan di depan pasar berlubang besar, sering ada pengendara motor jatuh malam hari.",
    "location": {"text": "Jl. Ahmad Yani depan Pasar Wonokromo", "region_code": "35.78"},
    "reporter": {"name": "Siti Aminah", "phone": "081234567890", "email": "siti@example.id"},
    "tags": ["jalan"],
}


def form_body(tag: str) -> Callable[[int], bytes]:
    """`body(i)`: the web form with a form id of its own (so every request is a new complaint)."""
    head = json.dumps(FORM)[1:-1].encode()

    def body(i: int) -> bytes:
        return b'{"form_id": "' + f"{tag}-{i}".encode() + b'", ' + head + b"}"

    return body


def intake_env(*, database: str, topic: str, kafka: str, mongodb: str) -> dict[str, str]:
    """The environment of an intake serving the bench's connector without a rate limit."""
    connector = {"api_key": API_KEY, "rate_per_s": 1_000_000, "burst": 1_000_000}
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "MONGODB_URI": mongodb,
        "INTAKE_MONGODB_DATABASE": database,
        "INTAKE_CONNECTORS": json.dumps({CONNECTOR: connector}),
        "INTAKE_TOPICS__RECEIVED": topic,
    }


def run(
    *,
    stored: Sequence[int],
    repeats: int,
    workers: int,
    seconds: float,
    rate: float,
    rate_seconds: float,
    mongodb_uri: str | None = None,
) -> str:
    """Measure at each stored size; return the table."""
    kafka = KafkaSettings()
    mongodb = mongodb_uri or os.environ.get("MONGODB_URI", DEFAULT_MONGODB_URI)
    tag = uuid.uuid4().hex[:8]
    topic, database = f"bench.intake.{tag}.received", f"bench_intake_{tag}"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, 3)])
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb)
    rows: list[tuple[int, list[ClosedResult], list[ClosedResult], OpenResult]] = []
    try:
        collection = client[database]["intake_complaints"]
        ComplaintRepository(collection).ensure_indexes()
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
            logs = Path(tmp)
            env = intake_env(
                database=database, topic=topic, kafka=kafka.bootstrap_servers, mongodb=mongodb
            )
            for size in stored:
                count = _preload(collection, size)
                bare: list[ClosedResult] = []
                intake: list[ClosedResult] = []
                for r in range(repeats):
                    bare.append(_bare(logs, form_body(f"b{tag}{size}{r}"), workers, seconds))
                    body = form_body(f"i{tag}{size}{r}")
                    intake.append(_intake_closed(logs, env, body, workers, seconds))
                    _progress(
                        f"intake bench, {count:,} stored: bare {bare[-1].rate:,.0f}/s, "
                        f"intake {intake[-1].rate:,.0f}/s (failed {intake[-1].failed}: "
                        f"{intake[-1].statuses})"
                    )
                latency = _intake_open(logs, env, form_body(f"o{tag}{size}"), rate, rate_seconds)
                _progress(
                    f"intake bench, {count:,} stored: {rate:.0f} req/s p50 {latency.p50_ms:.1f} ms"
                    f" p99 {latency.p99_ms:.1f} ms"
                )
                rows.append((count, bare, intake, latency))
    finally:
        client.drop_database(database)
        client.close()
        delete_topic(kafka, topic)
    return _table(rows, workers, seconds, rate, rate_seconds)


def mongodb_uri() -> str:
    """MONGODB_URI, or the local default."""
    return os.environ.get("MONGODB_URI", DEFAULT_MONGODB_URI)


def _bare(logs: Path, body: Callable[[int], bytes], workers: int, seconds: float) -> ClosedResult:
    port = free_port()
    args = ["-m", "uvicorn", "bench.bare_intake:app", "--port", str(port), "--log-level", "warning"]
    with serve(args, env={}, log=logs / "bare.log", ready_url=f"http://127.0.0.1:{port}/healthz"):
        target = Target(port, PATH, {"X-Api-Key": API_KEY})
        return closed_loop(target, body, workers=workers, seconds=seconds, warmup_s=2.0)


@contextmanager
def _intake(logs: Path, env: dict[str, str]) -> Iterator[Target]:
    """A fresh intake process (its `env` from `intake_env`), ready; stopped on the way out."""
    port = free_port()
    with serve(
        ["-m", "services.intake", "--channel", "web"],
        env={**env, "INTAKE_HTTP_PORT": str(port)},
        log=logs / "intake.log",
        ready_url=f"http://127.0.0.1:{port}/readyz",
    ):
        yield Target(port, PATH, {"X-Api-Key": API_KEY})


def _intake_closed(
    logs: Path, env: dict[str, str], body: Callable[[int], bytes], workers: int, seconds: float
) -> ClosedResult:
    with _intake(logs, env) as target:
        return closed_loop(target, body, workers=workers, seconds=seconds, warmup_s=2.0)


def _intake_open(
    logs: Path, env: dict[str, str], body: Callable[[int], bytes], rate: float, seconds: float
) -> OpenResult:
    with _intake(logs, env) as target:
        # A second of warm-up at the same rate (connections, first group commits), then the run.
        open_loop(target, body, rate=rate, seconds=1.0, connections=64)
        return open_loop(
            target, lambda i: body(i + 1_000_000), rate=rate, seconds=seconds, connections=64
        )


def stored_complaints(start: int, stop: int) -> list[dict[str, Any]]:
    """Valid stored web complaints start..stop-1, their outbox already published."""
    received = datetime(2026, 11, 1, tzinfo=UTC)
    form = ADAPTER.model.model_validate({"form_id": "pre-0", **FORM})
    template = build_complaint(
        ADAPTER, form, Receipt(_tracking(0), received, CONNECTOR), "pre-0"
    ).to_mongo()
    template["outbox"]["published_at"] = received + timedelta(seconds=1)
    docs = []
    for n in range(start, stop):
        tracking, ref = _tracking(n), f"pre-{n}"
        complaint = {**template["complaint"], "tracking_number": tracking, "channel_ref": ref}
        docs.append(
            {
                **template,
                "_id": f"01PRELOAD{n:017d}",
                "tracking_number": tracking,
                "channel_ref": ref,
                "complaint": complaint,
            }
        )
    return docs


def _tracking(n: int) -> str:
    """A tracking number of the real format for the n-th pre-loaded complaint (the digits of n
    in the tracking alphabet; a random new one colliding with it is retried by intake)."""
    chars = []
    for _ in range(8):
        n, digit = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[digit])
    text = "".join(reversed(chars))
    return f"{PREFIX}-{text[:4]}-{text[4:]}"


def _preload(collection: Collection[dict[str, Any]], size: int) -> int:
    """Top the collection up to `size` pre-loaded complaints; return how many it holds."""
    have = collection.count_documents({"_id": {"$regex": "^01PRELOAD"}})
    for start in range(have, size, PRELOAD_CHUNK):
        collection.insert_many(stored_complaints(start, min(size, start + PRELOAD_CHUNK)))
    return collection.count_documents({})


def delete_topic(kafka: KafkaSettings, topic: str) -> None:
    admin = KafkaAdminClient(**kafka.client_options())
    try:
        admin.delete_topics([topic])
    except Exception as exc:  # best effort: a leftover bench topic harms nothing
        _progress(f"could not delete {topic}: {type(exc).__name__}")
    finally:
        admin.close()


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _table(
    rows: list[tuple[int, list[ClosedResult], list[ClosedResult], OpenResult]],
    workers: int,
    seconds: float,
    rate: float,
    rate_seconds: float,
) -> str:
    lines = [
        f"intake vs a bare FastAPI endpoint (validation only): {workers} keep-alive workers, "
        f"{seconds:.0f} s per run, alternating; then intake alone at {rate:.0f} req/s open loop "
        f"for {rate_seconds:.0f} s",
        f"{'stored':>9}  {'bare/s':>7}  {'intake/s':>8}  {'ratio':>5}  "
        f"{'p50 ms':>6}  {'p99 ms':>6}  {'max ms':>6}  runs (bare / intake per s)",
    ]
    worst_ratio, worst_p99 = float("inf"), 0.0
    for count, bare, intake, lat in rows:
        ratio = statistics.median(i.rate / b.rate for b, i in zip(bare, intake, strict=True))
        worst_ratio, worst_p99 = min(worst_ratio, ratio), max(worst_p99, lat.p99_ms)
        pairs = ", ".join(
            f"{b.rate:,.0f} / {i.rate:,.0f}" for b, i in zip(bare, intake, strict=True)
        )
        failed = sum(i.failed for i in intake) + lat.failed
        lines.append(
            f"{count:>9,}  {statistics.median(b.rate for b in bare):>7,.0f}  "
            f"{statistics.median(i.rate for i in intake):>8,.0f}  {ratio:>5.2f}  "
            f"{lat.p50_ms:>6.1f}  {lat.p99_ms:>6.1f}  {lat.max_ms:>6.0f}  {pairs}"
            + (f"  ({failed} intake answers not 202)" if failed else "")
        )
    lines.append(
        f"lowest ratio {worst_ratio:.2f} ({'meets' if worst_ratio >= GOAL_RATIO else 'BELOW'} "
        f"the goal of {GOAL_RATIO}); highest p99 {worst_p99:.1f} ms "
        f"({'meets' if worst_p99 < GOAL_P99_MS else 'ABOVE'} the goal of {GOAL_P99_MS:.0f} ms)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.intake`: a quick run at 10,000 stored complaints."""
    del argv
    sys.stdout.write(
        run(stored=[10_000], repeats=1, workers=64, seconds=10, rate=200, rate_seconds=10) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
