"""Where the outbox relay's time goes inside a loaded intake, during the drain after a burst.

`python -m bench.relay_profile [--seconds 10]`: a fresh intake (every channel, linking on)
whose relay thread runs under cProfile (`_profiled_intake`, started as its own process, as in
production), a closed-loop burst of intake-mix's bodies for `--seconds`, then the wait until
every stored complaint is on the topic; the relay thread's profile is printed (cumulative
time, wall clock: a wait for the GIL or the store counts in the call that waited).
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

from bench.intake import delete_topic, intake_env, mongodb_uri
from bench.intake_mix import _drained, _intake, closed_loop, routed
from services.intake.repository import ComplaintRepository
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics


def run(*, seconds: float, workers: int = 64, linking: str = "true", lines: int = 35) -> str:
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
            env |= {"INTAKE_DUPLICATE_LINKING": linking, "RELAY_PROFILE": str(stats)}
            with _intake(Path(tmp), env, module="bench._profiled_intake") as target:
                load = closed_loop(
                    target, routed(f"p{tag}"), workers=workers, seconds=seconds, warmup_s=2.0
                )
                drained = _drained(complaints, kafka, topic)
                stored = complaints.estimated_document_count()
            out = pstats.Stats(str(stats), stream=(text := _Text()))
            out.sort_stats("cumulative").print_stats(lines)
    finally:
        client.drop_database(database)
        client.close()
        delete_topic(kafka, topic)
    return (
        f"relay profile, linking {linking}: {load.rate:,.0f} req/s for {seconds:.0f} s, "
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
    parser.add_argument("--linking", default="true")
    sys.stdout.write(run(seconds=parser.parse_args().seconds, linking=parser.parse_args().linking))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
