"""Where the outbox relay's time goes inside a loaded intake, during the drain after a burst.

`python -m bench.relay_profile [--seconds 10] [--rate 350] [--before]`: a fresh intake (every
channel, linking on) whose relay thread runs under cProfile (`_profiled_intake`, started as its
own process, as in production), a burst of intake-mix's bodies for `--seconds` (closed loop, or
open loop at `--rate` a second, so that two runs relay the same number of complaints), then the
wait until every stored complaint is on the topic; the relay thread's profile is printed
(cumulative time, wall clock: a wait for the GIL or the store counts in the call that waited).
`--before`: the relay as it was before backlog rounds and overlapped marks.
"""

from __future__ import annotations

import argparse
import pstats
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench.http_load import open_loop
from bench.intake import delete_topic, intake_env, mongodb_uri
from bench.intake_mix import VARIANTS, _drained, _intake, closed_loop, routed
from services.intake.repository import ComplaintRepository
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics


def run(
    *, seconds: float, rate: float = 0, before: bool = False, workers: int = 64, lines: int = 35
) -> str:
    """Burst, drain, and return the relay thread's profile (top `lines` by cumulative time)."""
    kafka = KafkaSettings()
    mongodb = mongodb_uri()
    tag = uuid.uuid4().hex[:8]
    topic, database = f"bench.relayprof.{tag}.received", f"bench_relayprof_{tag}"
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, 3)])
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb)
    complaints = client[database]["intake_complaints"]
    try:
        ComplaintRepository(complaints).ensure_indexes()
        env = intake_env(
            database=database, topic=topic, kafka=kafka.bootstrap_servers, mongodb=mongodb
        )
        with tempfile.TemporaryDirectory(prefix="bench-relay-profile-") as tmp:
            stats = Path(tmp) / "relay.prof"
            variant = VARIANTS["on, relay before" if before else "linking on"]
            env |= variant | {"RELAY_PROFILE": str(stats)}
            with _intake(Path(tmp), env, module="bench._profiled_intake") as target:
                body = routed(f"p{tag}")
                if rate:
                    sent = open_loop(target, body, rate=rate, seconds=seconds, connections=64)
                    accepted = sent.rate
                else:
                    load = closed_loop(target, body, workers=workers, seconds=seconds, warmup_s=2)
                    accepted = load.rate
                drained = _drained(complaints, kafka, topic)
                stored = complaints.estimated_document_count()
            out = pstats.Stats(str(stats), stream=(text := _Text()))
            out.sort_stats("cumulative").print_stats(lines)
    finally:
        client.drop_database(database)
        client.close()
        delete_topic(kafka, topic)
    return (
        f"relay profile, {'relay before' if before else 'now'}: {accepted:,.0f} req/s for "
        f"{seconds:.0f} s, "
        f"{stored:,} stored, all sent {drained:.1f} s after the load\n" + text.value
    )


class _Text:
    """A stream pstats can print to."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, chunk: str) -> int:
        self.value += chunk
        return len(chunk)


def main() -> int:
    """Parse the options and print the profile."""
    parser = argparse.ArgumentParser(prog="python -m bench.relay_profile")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=0, help="open loop at this rate")
    parser.add_argument("--before", action="store_true", help="the relay before backlog rounds")
    args = parser.parse_args()
    sys.stdout.write(run(seconds=args.seconds, rate=args.rate, before=args.before))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
