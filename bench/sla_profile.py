"""`python -m bench.sla_profile`: where the sla's time goes, under cProfile, in this process.

The same run as one sla run of `python -m bench --only sla` (the bench's mix on fresh topics, a
fresh database pre-loaded with --stored cases, the real `services.sla.service.build`), driven by
`run_once` until every event is committed, with cProfile on from the first poll to the last
commit. Prints the events per second (slowed by the profiler) and the top functions by
cumulative and by own time. Topics and database are dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import uuid
from typing import Any

from pymongo import MongoClient

from bench.sla import _delete_topics, _Inputs, _prefill, _preload, _settings
from services.sla.service import build
from shared.config import KafkaSettings
from shared.kafka.admin import TopicSpec, ensure_topics


def profile(*, stored: int, cases: int, top: int) -> str:
    """Profile one sla run; return the report."""
    kafka = KafkaSettings()
    tag = uuid.uuid4().hex[:8]
    inputs = _Inputs(*(f"bench.slaprof.{tag}.{n}" for n in ("received", "assigned", "updates")))
    resolved, alerts = f"bench.slaprof.{tag}.resolved", f"bench.slaprof.{tag}.alerts"
    created = [*inputs.names, *(t + ".dlq" for t in inputs.names), resolved, alerts]
    ensure_topics(kafka.bootstrap_servers, [TopicSpec(t, 3) for t in created])
    settings = _settings("slaprof", tag, inputs, resolved, alerts)
    client: MongoClient[dict[str, Any]] = MongoClient(settings.mongodb_uri)
    try:
        _prefill(kafka, inputs, cases)
        _preload(client[settings.mongodb_database][settings.cases_collection], stored)
        sla = build(settings)
        events, done = 4 * cases, 0
        profiler = cProfile.Profile()
        try:
            started = time.perf_counter()
            profiler.enable()
            while done < events:
                done += sla.service.loop.run_once()
            profiler.disable()
            seconds = time.perf_counter() - started
        finally:
            sla.service.close()
    finally:
        client.drop_database(settings.mongodb_database)
        client.close()
        _delete_topics(kafka, created)
    out = io.StringIO()
    out.write(
        f"sla under cProfile: {events} events, {stored:,} stored cases, {seconds:.2f} s "
        f"({events / seconds:,.0f} ev/s with the profiler on; the clock includes the group join)\n"
    )
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, profile, print."""
    parser = argparse.ArgumentParser(prog="python -m bench.sla_profile", description=__doc__)
    parser.add_argument("--stored", type=int, default=10_000, help="pre-loaded cases")
    parser.add_argument("--cases", type=int, default=500, help="new (and updated stored) cases")
    parser.add_argument("--top", type=int, default=40, help="functions listed per ordering")
    args = parser.parse_args(argv)
    sys.stdout.write(profile(stored=args.stored, cases=args.cases, top=args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
