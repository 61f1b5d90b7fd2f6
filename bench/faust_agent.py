"""The faust-streaming baseline of the sla benchmark: a bare agent, one table update and one send
per event. Run in its own process by `bench.sla`: `python -m bench.faust_agent worker -l warn --without-web`.

Configured by the environment (set by `bench.sla`):
- BENCH_FAUST_APP: the app id (= consumer group; fresh for every run);
- BENCH_FAUST_TOPICS: the input topics, comma-separated (pre-filled, read from the start);
- BENCH_FAUST_SINK: where each event is sent on, unchanged;
- BENCH_FAUST_CHANGELOG: the table's changelog topic, pre-filled with the stored cases, so the
  worker recovers them into its table before it reads its first event (not timed);
- BENCH_FAUST_EVENTS: how many events to expect; after the last one the agent flushes the
  producer and writes `{"events": n, "seconds": s}` to BENCH_FAUST_RESULT: the events after the
  first one, and the time from the first event to the flush after the last. Should faust drop
  records (it did, see `bench.faust_repro`), the count is never reached: 5 s after its last event
  the agent reports what it saw, and the time from its first to its last event.

The table lives in memory (`store="memory://"`, no RocksDB). Keys and values are raw bytes;
the table counts each case's events (a read and a write of the case's entry).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import faust

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092").split(",")[0]
APP_ID = os.environ.get("BENCH_FAUST_APP", "bench-faust")
TOPICS = [t for t in os.environ.get("BENCH_FAUST_TOPICS", "bench.faust.in").split(",") if t]
SINK = os.environ.get("BENCH_FAUST_SINK", "bench.faust.sink")
CHANGELOG = os.environ.get("BENCH_FAUST_CHANGELOG", f"{APP_ID}-cases-changelog")
EVENTS = int(os.environ.get("BENCH_FAUST_EVENTS", "0"))
RESULT = Path(os.environ.get("BENCH_FAUST_RESULT", "faust-result.json"))

app = faust.App(
    APP_ID,
    broker=f"kafka://{BOOTSTRAP}",
    store="memory://",
    key_serializer="raw",
    value_serializer="raw",
    topic_partitions=3,
    topic_replication_factor=1,
    consumer_auto_offset_reset="earliest",
    web_enabled=False,
)
source = app.topic(*TOPICS, key_serializer="raw", value_serializer="raw")
sink = app.topic(SINK, key_serializer="raw", value_serializer="raw")
cases = app.Table(
    "cases",
    default=int,
    partitions=3,
    changelog_topic=app.topic(
        CHANGELOG, partitions=3, key_serializer="raw", value_serializer="json"
    ),
)


_state = {"seen": 0, "first": 0.0, "last": 0.0, "done": False}
# faust may drop records while it joins and recovers (see bench/faust_repro.py): when the count
# cannot be reached, the run ends this long after its last event and reports what it saw.
IDLE_S = 5.0


@app.agent(source)
async def apply(stream: Any) -> None:
    """Count the case's event in the table and send the event on."""
    async for key, value in stream.items():
        cases[key] = cases[key] + 1
        await sink.send(key=key, value=value)
        _state["seen"] += 1
        _state["last"] = time.perf_counter()
        if _state["seen"] == 1:
            _state["first"] = _state["last"]
        if _state["seen"] == EVENTS:
            await _finish()


@app.timer(1.0)
async def _idle() -> None:
    if _state["seen"] and not _state["done"] and time.perf_counter() - _state["last"] > IDLE_S:
        await _finish()


async def _finish() -> None:
    await app.producer.flush()
    ended = time.perf_counter() if _state["seen"] == EVENTS else _state["last"]
    _state["done"] = True
    result = {"events": _state["seen"] - 1, "seconds": ended - _state["first"], "expected": EVENTS}
    RESULT.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    app.main()
