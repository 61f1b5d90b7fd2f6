"""`python -m bench`: run the benchmarks (all, or those named by --only) and print their tables.

- loop: the shared consume loop against a raw kafka-python passthrough;
- sla: the sla service against a bare faust-streaming agent, at each --stored size
  (needs the bench extra: `make bench-install`).
"""

from __future__ import annotations

import argparse
import sys

from bench import consume_loop, sla

BENCHMARKS = ("loop", "sla")


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmark(s) {', '.join(unknown)}")
    return names


def _sizes(text: str) -> list[int]:
    return [int(n.replace("_", "")) for n in text.split(",") if n.strip()]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks against the Kafka at KAFKA_BOOTSTRAP_SERVERS (and, for the sla, the
    store at MONGODB_URI)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", type=_names, default=list(BENCHMARKS), help="comma-separated: loop,sla"
    )
    parser.add_argument("--records", type=int, default=20_000, help="loop: records per run")
    parser.add_argument("--repeats", type=int, default=5, help="loop: runs of each contender")
    parser.add_argument(
        "--stored",
        type=_sizes,
        default=[10_000, 100_000],
        help="sla: stored cases, e.g. 10000,100000",
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
    args = parser.parse_args(argv)
    if "loop" in args.only:
        sys.stdout.write(consume_loop.run(records=args.records, repeats=args.repeats) + "\n\n")
        sys.stdout.flush()
    if "sla" in args.only:
        report = sla.run(
            stored=args.stored,
            sla_cases=args.sla_cases,
            faust_cases=args.faust_cases,
            repeats=args.sla_repeats,
        )
        sys.stdout.write(report + "\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
