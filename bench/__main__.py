"""`python -m bench`: run every benchmark and print its table."""

from __future__ import annotations

import argparse
import sys

from bench import consume_loop


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks against the Kafka at --bootstrap (default: KAFKA_BOOTSTRAP_SERVERS)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--records", type=int, default=20_000, help="records per run")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each contender")
    args = parser.parse_args(argv)
    report = consume_loop.run(records=args.records, repeats=args.repeats)
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
