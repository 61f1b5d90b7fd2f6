"""The bare baseline of `bench.intake_raw`: the shared consume loop over intake's raw topics,
with a handler that only validates each record's body with its channel's adapter.

`python -m bench.bare_raw` (env `BENCH_RAW_TEMPLATE`, `BENCH_GROUP_ID`, `BENCH_MAX_POLL_RECORDS`,
`KAFKA_BOOTSTRAP_SERVERS`):
the same topics, consumer settings and loop as `python -m services.intake consume`, the same
pydantic models, commits after each batch, but nothing stored, nothing mapped to an event, no
outbox, no duplicate look-up: the Kafka tier's own cost. Runs until SIGTERM.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from types import FrameType

from services.intake.adapters import ADAPTERS
from shared.config import KafkaSettings
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop
from shared.kafka.producer import idempotent_producer
from shared.kafka.records import Received, Result


def main() -> int:
    """Consume until SIGTERM."""
    template = os.environ["BENCH_RAW_TEMPLATE"]
    adapters = {template.format(channel=channel): a for channel, a in ADAPTERS.items()}
    kafka = KafkaSettings()

    def validate(batch: Sequence[Received[bytes]]) -> list[Result]:
        for received in batch:
            adapters[received.record.topic].parse(received.item)
        return []

    consumer = manual_commit_consumer(
        kafka,
        group_id=os.environ["BENCH_GROUP_ID"],
        topics=sorted(adapters),
        client_id="bare-raw",
        max_poll_records=int(os.environ.get("BENCH_MAX_POLL_RECORDS", "500")),
    )
    loop: ConsumeLoop[bytes] = ConsumeLoop(
        consumer,
        lambda: idempotent_producer(kafka, client_id="bare-raw"),
        service="bare-raw",
        decode=lambda value: value,
        handle=validate,
    )
    running = True

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    try:
        while running:
            loop.run_once()
    finally:
        loop.close()
        consumer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
