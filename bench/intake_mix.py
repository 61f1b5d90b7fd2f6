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
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def run(*, repeats: int, workers: int, seconds: float, rate: float, rate_seconds: float) -> str:
    """Measure the mixed load; return the table."""
    kafka = KafkaSettings()
    mongodb = mongodb_uri()
    tag = uuid.uuid4().hex[:8]
    topic, database = f"bench.intakemix.{tag}.received", f"bench_intakemix_{tag}"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, 3)])
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb)
    bare: list[ClosedResult] = []
    intake: list[ClosedResult] = []
    try:
        ComplaintRepository(client[database]["intake_complaints"]).ensure_indexes()
        env = intake_env(
            database=database, topic=topic, kafka=kafka.bootstrap_servers, mongodb=mongodb
        )
        with tempfile.TemporaryDirectory(prefix="bench-intake-mix-") as tmp:
            logs = Path(tmp)
            for r in range(repeats):
                bare.append(_bare(logs, routed(f"b{tag}{r}"), workers, seconds))
                with _intake(logs, env) as target:
                    intake.append(
                        closed_loop(
                            target, routed(f"i{tag}{r}"), workers=workers, seconds=seconds,
                            warmup_s=2.0,
                        )
                    )  # fmt: skip
                _progress(
                    f"mixed intake bench: bare {bare[-1].rate:,.0f}/s, intake "
                    f"{intake[-1].rate:,.0f}/s (failed {intake[-1].failed}: {intake[-1].statuses})"
                )
            with _intake(logs, env) as target:
                body = routed(f"o{tag}")
                open_loop(target, body, rate=rate, seconds=1.0, connections=64)  # warm-up
                latency = open_loop(
                    target, lambda i: body(i + 1_000_000), rate=rate, seconds=rate_seconds,
                    connections=64,
                )  # fmt: skip
    finally:
        client.drop_database(database)
        client.close()
        delete_topic(kafka, topic)
    return _table(
        bare, intake, latency, workers=workers, seconds=seconds, rate=rate,
        rate_seconds=rate_seconds,
    )  # fmt: skip


def _bare(logs: Path, body: Callable[[int], Made], workers: int, seconds: float) -> ClosedResult:
    port = free_port()
    args = ["-m", "uvicorn", "bench.bare_intake:app", "--port", str(port), "--log-level", "warning"]
    with serve(args, env={}, log=logs / "bare.log", ready_url=f"http://127.0.0.1:{port}/healthz"):
        target = Target(port, "/", {"X-Api-Key": API_KEY})
        return closed_loop(target, body, workers=workers, seconds=seconds, warmup_s=2.0)


@contextmanager
def _intake(logs: Path, env: dict[str, str]) -> Iterator[Target]:
    """A fresh intake serving every channel, ready; stopped on the way out."""
    port = free_port()
    with serve(
        ["-m", "services.intake"],
        env={**env, "INTAKE_HTTP_PORT": str(port)},
        log=logs / "intake.log",
        ready_url=f"http://127.0.0.1:{port}/readyz",
    ):
        yield Target(port, "/", {"X-Api-Key": API_KEY})


def _progress(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _table(
    bare: list[ClosedResult],
    intake: list[ClosedResult],
    lat: OpenResult,
    *,
    workers: int,
    seconds: float,
    rate: float,
    rate_seconds: float,
) -> str:
    ratio = statistics.median(i.rate / b.rate for b, i in zip(bare, intake, strict=True))
    pairs = ", ".join(f"{b.rate:,.0f} / {i.rate:,.0f}" for b, i in zip(bare, intake, strict=True))
    failed = sum(i.failed for i in intake) + lat.failed
    return "\n".join(
        [
            f"intake, all 7 channels in turn, vs bare FastAPI routes (validation only): {workers} "
            f"keep-alive workers, {seconds:.0f} s per run, alternating; then intake alone at "
            f"{rate:.0f} req/s open loop for {rate_seconds:.0f} s",
            f"{'bare/s':>7}  {'intake/s':>8}  {'ratio':>5}  {'p50 ms':>6}  {'p99 ms':>6}  "
            f"{'max ms':>6}  runs (bare / intake per s)",
            f"{statistics.median(b.rate for b in bare):>7,.0f}  "
            f"{statistics.median(i.rate for i in intake):>8,.0f}  {ratio:>5.2f}  "
            f"{lat.p50_ms:>6.1f}  {lat.p99_ms:>6.1f}  {lat.max_ms:>6.0f}  {pairs}"
            + (f"  ({failed} intake answers not 202)" if failed else ""),
            f"ratio {ratio:.2f} ({_verdict(ratio >= GOAL_RATIO, 'BELOW')} the goal of "
            f"{GOAL_RATIO}); p99 {lat.p99_ms:.1f} ms ({_verdict(lat.p99_ms < GOAL_P99_MS, 'ABOVE')}"
            f" the goal of {GOAL_P99_MS:.0f} ms)",
        ]
    )


def _verdict(met: bool, otherwise: str) -> str:
    return "meets" if met else otherwise


def main() -> int:
    """`python -m bench.intake_mix`: one quick pair and 10 s at 200 req/s."""
    sys.stdout.write(run(repeats=1, workers=64, seconds=10, rate=200, rate_seconds=10) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
