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
  first one, and the time from the first event to the flush after the last.

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


@app.agent(source)
async def apply(stream: Any) -> None:
    """Count the case's event in the table and send the event on."""
    seen, first = 0, 0.0
    async for key, value in stream.items():
        cases[key] = cases[key] + 1
        await sink.send(key=key, value=value)
        seen += 1
        if seen == 1:
            first = time.perf_counter()
        if seen == EVENTS:
            await app.producer.flush()
            result = {"events": seen - 1, "seconds": time.perf_counter() - first}
            RESULT.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    app.main()
