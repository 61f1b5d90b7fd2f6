"""Redaction throughput per kB of text, over the labelled corpus (tests/data/redaction/).

`python -m bench.redaction [--repeats N] [--baseline REV]`; `run()` returns the table.

With `--baseline REV` (a git revision, e.g. `main`) the redactor of REV (its
`services/publisher/redaction/`, taken with `git archive`) is measured in the same run on the
same texts, alternating with the current one, each in its own process; the table gives both
and the ratio current / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from services.publisher.redaction import redact

ROOT = Path(__file__).parents[1]
CORPUS = ROOT / "tests" / "data" / "redaction"
# What a baseline needs of a revision: the redaction package and the packages above it.
BASELINE_PATHS = (
    "services/__init__.py",
    "services/publisher/__init__.py",
    "services/publisher/redaction",
)


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


def run(*, repeats: int = 5, rounds: int = 5, baseline: str | None = None) -> str:
    """Measure `repeats` times; return a table with the median kB/s and µs per kB."""
    items = texts()
    kilobytes = rounds * sum(len(text.encode()) for text, _ in items) / 1000
    header = f"redaction: {len(items)} texts, {kilobytes / rounds:.1f} kB, median of {repeats}\n"
    if baseline is None:
        measure(items, 1)  # warm the regex caches
        seconds = statistics.median(measure(items, rounds) for _ in range(repeats))
        table = "| kB/s | µs/kB | texts/s |\n|---|---|---|\n| "
        return header + table + _row(len(items), kilobytes, seconds, rounds)
    with tempfile.TemporaryDirectory() as tree:
        _extract(baseline, Path(tree))
        current, old = [], []
        for _ in range(repeats):  # alternate, so that both see the same load
            current.append(_child(ROOT, rounds))
            old.append(_child(Path(tree), rounds))
    now, then = statistics.median(current), statistics.median(old)
    return (
        f"{header}| redactor | kB/s | µs/kB | texts/s |\n|---|---|---|---|\n"
        f"| current | {_row(len(items), kilobytes, now, rounds)}\n"
        f"| {baseline} | {_row(len(items), kilobytes, then, rounds)}\n"
        f"throughput current / {baseline}: {then / now:.2f}"
    )


def _row(texts_count: int, kilobytes: float, seconds: float, rounds: int) -> str:
    """Return one measurement as table cells: kB/s, µs per kB, texts per second."""
    return (
        f"{kilobytes / seconds:,.0f} | {seconds / kilobytes * 1e6:,.0f} "
        f"| {rounds * texts_count / seconds:,.0f} |"
    )


def _extract(revision: str, tree: Path) -> None:
    """Write the redaction package of `revision` (git archive) under `tree`."""
    archive = subprocess.run(  # noqa: S603 (git and a revision the operator names)
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, *BASELINE_PATHS],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")


def _child(services_root: Path, rounds: int) -> float:
    """Return the seconds of one measurement in a new process importing `services` from there."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(services_root), str(ROOT)])}
    done = subprocess.run(  # noqa: S603 (this interpreter, this module)
        [sys.executable, "-m", "bench.redaction", "--child", str(rounds)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=services_root,
    )
    return float(done.stdout)


def main(argv: list[str] | None = None) -> int:
    """Print the redaction throughput table."""
    parser = argparse.ArgumentParser(prog="python -m bench.redaction", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the median counts")
    parser.add_argument("--baseline", help="a git revision whose redactor is measured alongside")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)  # rounds, in a child
    args = parser.parse_args(argv)
    if args.child:
        items = texts()
        measure(items, 1)
        sys.stderr.write(f"redactor from {Path(redact.__code__.co_filename).parents[3]}\n")
        sys.stdout.write(f"{measure(items, args.child)}\n")
        return 0
    sys.stdout.write(run(repeats=args.repeats, baseline=args.baseline) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
