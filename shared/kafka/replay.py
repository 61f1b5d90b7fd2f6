"""`python -m services.<name> replay-dlq [--id ID ... | --all] [--dry-run]`: send dead letters
back to the topic they came from, once the cause is mended (a fixed bug, a corrected rule).

Each replayed record goes back with its original key, value and headers (the `dlq.*` ones
dropped) plus `aduan.replayed.from: <dlq topic>:<partition>:<offset>`. A marker record written
to the dead-letter topic beside it (`dlq.replayed: <partition>:<offset>`, empty value) records
the replay in Kafka itself, so a second run skips what was replayed: nothing goes back twice by
accident. The consumers are idempotent anyway, should a run die between the two writes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import orjson
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from shared import headers
from shared.config import KafkaSettings
from shared.kafka.producer import idempotent_producer
from shared.topics import dead_letter

_PROGRESS_EVERY = 100


@dataclass
class ReplayReport:
    """What one run found and did."""

    replayed: list[str] = field(default_factory=list)  # "<dlq topic>:<partition>:<offset>"
    already: int = 0
    skipped: int = 0


def add_replay_parser(subparsers: Any) -> None:
    """Add the `replay-dlq` subcommand to a service's command line."""
    parser = subparsers.add_parser("replay-dlq", help="send dead letters back to their topic")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--id",
        action="append",
        dest="ids",
        help="a complaint id (record key), an event id, or <partition>:<offset>; repeatable",
    )
    which.add_argument("--all", action="store_true", help="every dead letter not yet replayed")
    parser.add_argument("--dry-run", action="store_true", help="list, send nothing")


def run_replay(args: argparse.Namespace, kafka: KafkaSettings, sources: Sequence[str]) -> int:
    """Run `replay-dlq` for a service consuming `sources`; return the exit code."""
    ids = None if args.all else set(args.ids)
    producer = None if args.dry_run else idempotent_producer(kafka, client_id="replay-dlq")
    try:
        report = replay(kafka, sources, ids=ids, producer=producer, err=sys.stderr)
    finally:
        if producer is not None:
            producer.close()
    verb = "would replay" if args.dry_run else "replayed"
    for where in report.replayed:
        sys.stdout.write(f"{verb} {where}\n")
    sys.stdout.write(
        f"{verb} {len(report.replayed)}; {report.already} replayed before; "
        f"{report.skipped} not selected\n"
    )
    return 0


def replay(
    kafka: KafkaSettings,
    sources: Sequence[str],
    *,
    ids: Collection[str] | None,
    producer: KafkaProducer | None,
    err: TextIO,
) -> ReplayReport:
    """Replay the selected dead letters of each source topic (None: every one); with no
    producer, only report what would be replayed."""
    report = ReplayReport()
    for source in sources:
        records = list(_read_all(kafka, dead_letter(source)))
        done = {_header(r, headers.DLQ_REPLAYED) for r in records} - {None}
        letters = [r for r in records if _header(r, headers.DLQ_REPLAYED) is None]
        for n, record in enumerate(letters, 1):
            _one(record, done, ids, producer, report)
            if n % _PROGRESS_EVERY == 0 or n == len(letters):
                err.write(f"\r{dead_letter(source)}: {n}/{len(letters)} read")
        err.write("\n")
    if producer is not None:
        producer.flush()
    return report


def _one(
    record: Any,
    done: set[str | None],
    ids: Collection[str] | None,
    producer: KafkaProducer | None,
    report: ReplayReport,
) -> None:
    position = f"{record.partition}:{record.offset}"
    if position in done:
        report.already += 1
        return
    if ids is not None and not _selected(record, position, ids):
        report.skipped += 1
        return
    report.replayed.append(f"{record.topic}:{position}")
    if producer is not None:
        _send_back(producer, record, position)


def _send_back(producer: KafkaProducer, record: Any, position: str) -> None:
    source = _header(record, headers.DLQ_SOURCE_TOPIC)
    if source is None:
        raise ValueError(f"{record.topic}:{position} does not say where it came from")
    original = [(k, v) for k, v in record.headers or [] if not k.startswith("dlq.")]
    replayed_from = (headers.REPLAYED_FROM, f"{record.topic}:{position}".encode())
    producer.send(source, key=record.key, value=record.value, headers=[*original, replayed_from])
    marker = [(headers.DLQ_REPLAYED, position.encode())]
    producer.send(
        record.topic, key=record.key, value=b"", partition=record.partition, headers=marker
    )


def _selected(record: Any, position: str, ids: Collection[str]) -> bool:
    key = record.key.decode(errors="replace") if record.key else None
    return position in ids or key in ids or _event_id(record.value) in ids


def _event_id(value: bytes) -> str | None:
    try:
        found = orjson.loads(value).get("id")
    except (orjson.JSONDecodeError, AttributeError):  # poison need not be a JSON object
        return None
    return found if isinstance(found, str) else None


def _header(record: Any, name: str) -> str | None:
    for key, value in record.headers or []:
        if key == name:
            return bytes(value).decode(errors="replace")
    return None


def _read_all(kafka: KafkaSettings, topic: str) -> Iterator[Any]:
    """Every record of `topic` up to its current end, without a consumer group."""
    consumer = KafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for records in consumer.poll(timeout_ms=1_000).values():
                yield from records
    finally:
        consumer.close()
