"""Redaction throughput per kB of text, over the labelled corpus (tests/data/redaction/).

`python -m bench.redaction [--repeats N]`; `run()` returns the table for `python -m bench`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from services.publisher.redaction import redact

CORPUS = Path(__file__).parents[1] / "tests" / "data" / "redaction"


def texts() -> list[tuple[str, dict[str, str] | None]]:
    """Return every corpus text with its reporter block."""
    items = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            items.append((record["text"], record.get("reporter")))
    return items


def measure(items: list[tuple[str, dict[str, str] | None]], rounds: int) -> float:
    """Redact every item `rounds` times; return the seconds taken."""
    started = time.perf_counter()
    for _ in range(rounds):
        for text, reporter in items:
            redact(text, reporter)
    return time.perf_counter() - started


def run(*, repeats: int = 5, rounds: int = 5) -> str:
    """Measure `repeats` times; return a table with the median kB/s and µs per kB."""
    items = texts()
    kilobytes = rounds * sum(len(text.encode()) for text, _ in items) / 1000
    measure(items, 1)  # warm the regex caches
    seconds = statistics.median(measure(items, rounds) for _ in range(repeats))
    return (
        f"redaction: {len(items)} texts, {kilobytes / rounds:.1f} kB, median of {repeats}\n"
        f"| kB/s | µs/kB | texts/s |\n|---|---|---|\n"
        f"| {kilobytes / seconds:,.0f} | {seconds / kilobytes * 1e6:,.0f} "
        f"| {rounds * len(items) / seconds:,.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the redaction throughput table."""
    parser = argparse.ArgumentParser(prog="python -m bench.redaction", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the median counts")
    args = parser.parse_args(argv)
    sys.stdout.write(run(repeats=args.repeats) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
