"""Micro-benchmark of the sla's calendar and clocks: µs per due-time and per elapsed computation.

`python -m bench.clocks` (no Kafka, no Mongo). Instants are spread over 2025-2026 so Lebaran,
year ends and weekends are all crossed; the calendar's year tables are built before timing.
"""

from __future__ import annotations

import argparse
import random
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.sla.calendar import WIB, RegionCalendar, WorkingCalendar
from services.sla.clocks import Answer, ClockInput, ClockPolicy, clock_states, due_alerts
from shared.events import Classification

START = datetime(2025, 1, 1, tzinfo=UTC)


def _instants(count: int, seed: int) -> list[datetime]:
    rng = random.Random(seed)  # noqa: S311  # benchmark data, not secrets
    return [START + timedelta(seconds=rng.randrange(2 * 365 * 86_400)) for _ in range(count)]


def _per_call_us(run: Callable[[], object], calls: int, repeats: int) -> float:
    """The best of `repeats` runs, in µs per call (the least disturbed by other processes)."""
    return min(timeit.repeat(run, number=1, repeat=repeats)) / calls * 1e6


def _case(received: datetime) -> ClockInput:
    return ClockInput(
        complaint_id="01JBENCH000000000000000000",
        received_at=received,
        classification=Classification.PENGADUAN,
        disposed_at=received + timedelta(hours=3),
        assigned_at=received + timedelta(hours=3),
        answers=(Answer(received + timedelta(days=2), substantive=False),),
    )


def measure(calls: int = 200_000, repeats: int = 5) -> dict[str, float]:
    """Return µs per call of each operation."""
    calendar = WorkingCalendar(RegionCalendar(time_zone=WIB))
    starts, ends = _instants(calls, 1), _instants(calls, 2)
    calendar.elapsed_days(START, START + timedelta(days=3 * 365))  # build the year tables first
    days = [float(n % 60 + 1) for n in range(calls)]
    cases = [_case(start) for start in starts[: calls // 100]]
    policy, now = ClockPolicy(), START + timedelta(days=800)

    def states() -> None:
        for case in cases:
            due_alerts(clock_states(case, policy, calendar, now), now, sent=())

    return {
        "add_days (due time)": _per_call_us(
            lambda: [calendar.add_days(s, n) for s, n in zip(starts, days, strict=True)],
            calls,
            repeats,
        ),
        "elapsed_days": _per_call_us(
            lambda: [calendar.elapsed_days(s, e) for s, e in zip(starts, ends, strict=True)],
            calls,
            repeats,
        ),
        "is_working_day": _per_call_us(
            lambda: [calendar.is_working_day(s.date()) for s in starts], calls, repeats
        ),
        "clock_states + due_alerts (per case)": _per_call_us(states, len(cases), repeats),
    }


def report(results: dict[str, float]) -> str:
    """Format the results as a table."""
    width = max(len(name) for name in results)
    lines = [
        f"{'operation':<{width}}  µs/call",
        *(f"{k:<{width}}  {v:7.2f}" for k, v in results.items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the calendar and clock micro-benchmarks and print µs per call."""
    parser = argparse.ArgumentParser(prog="python -m bench.clocks", description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000, help="calls per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (the best is kept)")
    args = parser.parse_args(argv)
    sys.stdout.write(report(measure(args.calls, args.repeats)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
