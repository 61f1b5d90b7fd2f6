"""`python -m bench`: run the benchmarks (all, or those named by --only) and print their tables.

- loop: the shared consume loop against a raw kafka-python passthrough;
- sla: the sla service against a bare faust-streaming agent, at each --stored size
  (needs the bench extra: `make bench-install`);
- intake: intake's accepted complaints per second (durable writes) against a bare FastAPI
  endpoint that validates the same body, and intake's p50/p99 at a fixed rate, at each --stored
  size;
- intake-mix: the same with all seven channels in turn, intake without and with duplicate
  linking;
- intake-raw: the Kafka path (`services.intake consume`) against the bare consume loop, without
  and with duplicate linking, and its accept latency at a fixed rate;
- burst: intake's full rate for --burst-seconds through intake, router and sla, then how long
  until every case view is visible;
- store: by-key operations on the MongoDB-wire store (`python -m bench.store`);
- notify: the notifier (templates, contacts and ledger in the store) against the shared consume
  loop forwarding the same events unchanged.
- router: the router with the shipped rules and transactions beside a raw passthrough, and its
  received → OPD topic latency at a steady rate.
- publisher: resolved cases per second to the LAPOR! contract server answering in 200 ms, the
  deployed thread transport beside an event-loop candidate, and the server's own ceiling;
- redaction: redaction throughput per kB of text over the labelled corpus;
- sla1m (only when named: the 1,000,000-case fill takes minutes): the sla's rebuild time (and
  the read it replaced), memory per case, handler latency and the alerts' delay after their due
  time at each --sla1m-sizes open cases (`bench/sla_scale.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from bench import (
    burst,
    consume_loop,
    intake,
    intake_mix,
    intake_raw,
    notify,
    publisher,
    redaction,
    router,
    sla,
    sla_scale,
    store,
)

BENCHMARKS = (
    "loop",
    "sla",
    "intake",
    "intake-mix",
    "intake-raw",
    "burst",
    "store",
    "notify",
    "router",
    "publisher",
    "redaction",
)
ON_REQUEST = ("sla1m",)  # too slow for the default run


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS) - set(ON_REQUEST))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmark(s) {', '.join(unknown)}")
    return names


def _sizes(text: str) -> list[int]:
    return [int(n.replace("_", "")) for n in text.split(",") if n.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        type=_names,
        default=list(BENCHMARKS),
        help="comma-separated: " + ",".join(BENCHMARKS + ON_REQUEST),
    )
    parser.add_argument("--records", type=int, default=20_000, help="loop: records per run")
    parser.add_argument("--repeats", type=int, default=5, help="loop: runs of each contender")
    parser.add_argument(
        "--stored",
        type=_sizes,
        default=[10_000, 100_000],
        help="sla and intake: stored cases (complaints), e.g. 10000,100000",
    )
    parser.add_argument(
        "--sla-cases",
        type=int,
        default=50,
        help="sla: new cases (and stored cases updated) per sla run",
    )
    parser.add_argument(
        "--faust-cases", type=int, default=2_000, help="sla: the same for each faust run"
    )
    parser.add_argument("--sla-repeats", type=int, default=3, help="sla: runs of each contender")
    parser.add_argument(
        "--intake-repeats", type=int, default=2, help="intake: runs of each contender per size"
    )
    parser.add_argument("--intake-workers", type=int, default=64, help="intake: connections")
    parser.add_argument("--intake-seconds", type=float, default=15, help="intake: seconds per run")
    parser.add_argument("--intake-rate", type=float, default=200, help="intake: open-loop req/s")
    parser.add_argument(
        "--intake-rate-seconds", type=float, default=10, help="intake: open-loop seconds"
    )
    parser.add_argument(
        "--intake-raw-records", type=int, default=2_000, help="intake-raw: records per run"
    )
    parser.add_argument(
        "--intake-raw-linked",
        type=int,
        default=300,
        help="intake-raw: records per run with duplicate linking (it is slow)",
    )
    parser.add_argument(
        "--intake-raw-rate", type=float, default=20, help="intake-raw: open-loop records/s"
    )
    parser.add_argument("--burst-seconds", type=float, default=60, help="burst: its length")
    parser.add_argument("--burst-workers", type=int, default=64, help="burst: connections")
    parser.add_argument(
        "--burst-wait", type=float, default=120, help="burst: how long to wait for the views"
    )
    parser.add_argument(
        "--store-sizes", type=_sizes, default=[1_000, 20_000, 100_000], help="store: sizes"
    )
    parser.add_argument(
        "--notify-records", type=int, default=5_000, help="notify: receipts per run"
    )
    parser.add_argument("--router-records", type=int, default=5_000, help="router: per run")
    parser.add_argument("--router-repeats", type=int, default=3, help="router: runs each")
    parser.add_argument("--router-rate", type=float, default=200, help="router: steady msg/s")
    parser.add_argument(
        "--router-rate-seconds", type=float, default=30, help="router: seconds at that rate"
    )
    parser.add_argument(
        "--sla1m-sizes",
        type=_sizes,
        default=[1_000, 100_000],
        help="sla1m: open cases in the store, the first the baseline",
    )
    parser.add_argument("--publisher-cases", type=int, default=3000, help="publisher: cases a run")
    parser.add_argument("--publisher-rounds", type=int, default=2, help="publisher: rounds")
    parser.add_argument(
        "--sla1m-memory-sizes",
        type=_sizes,
        default=[],
        help="sla1m: open cases rebuilt in process (rows from memory), the first the baseline",
    )
    parser.add_argument(
        "--sla1m-before-max",
        type=int,
        default=sla_scale.Limits.before,
        help="sla1m: read the timers from `cases` (as before case_timers) up to this size",
    )
    parser.add_argument(
        "--sla1m-adopt-max",
        type=int,
        default=sla_scale.Limits.adopt,
        help="sla1m: measure the one-time adoption of timers from `cases` up to this size",
    )
    return parser


def _runs(args: argparse.Namespace) -> dict[str, Callable[[], str]]:
    """Each benchmark by name, as a call that runs it and returns its report."""
    return {
        "loop": lambda: consume_loop.run(records=args.records, repeats=args.repeats),
        "sla": lambda: sla.run(
            stored=args.stored,
            sla_cases=args.sla_cases,
            faust_cases=args.faust_cases,
            repeats=args.sla_repeats,
        ),
        "intake": lambda: intake.run(
            stored=args.stored,
            repeats=args.intake_repeats,
            workers=args.intake_workers,
            seconds=args.intake_seconds,
            rate=args.intake_rate,
            rate_seconds=args.intake_rate_seconds,
        ),
        "intake-mix": lambda: intake_mix.run(
            repeats=args.intake_repeats,
            workers=args.intake_workers,
            seconds=args.intake_seconds,
            rate=args.intake_rate,
            rate_seconds=args.intake_rate_seconds,
        ),
        "intake-raw": lambda: intake_raw.run(
            records=args.intake_raw_records,
            linked_records=args.intake_raw_linked,
            repeats=args.intake_repeats,
            rate=args.intake_raw_rate,
            rate_seconds=args.intake_rate_seconds,
        ),
        "burst": lambda: burst.run(
            seconds=args.burst_seconds, workers=args.burst_workers, wait_s=args.burst_wait
        ),
        "store": lambda: store.run(
            [os.environ.get("MONGODB_URI", store.DEFAULT_URI)], args.store_sizes
        ),
        "notify": lambda: notify.run(records=args.notify_records, repeats=args.repeats),
        "router": lambda: router.run(
            records=args.router_records,
            repeats=args.router_repeats,
            rate=args.router_rate,
            seconds=args.router_rate_seconds,
        ),
        "publisher": lambda: publisher.run(
            cases=args.publisher_cases, rounds=args.publisher_rounds
        ),
        "redaction": redaction.run,
        "sla1m": lambda: sla_scale.run(
            args.sla1m_sizes,
            args.sla1m_memory_sizes,
            os.environ.get("MONGODB_URI", sla_scale.DEFAULT_MONGODB_URI),
            sla_scale.Limits(before=args.sla1m_before_max, adopt=args.sla1m_adopt_max),
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks against the Kafka at KAFKA_BOOTSTRAP_SERVERS (and, for the sla, the
    store at MONGODB_URI)."""
    args = _parser().parse_args(argv)
    for name, run in _runs(args).items():
        if name in args.only:
            sys.stdout.write(run() + "\n\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
