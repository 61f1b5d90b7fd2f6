"""The notifier against the shared consume loop forwarding each event unchanged.

Both read the same pre-filled topic of receipts (`ComplaintReceived` with the reporter's phone:
one SMS each) with a fresh consumer group per run. The baseline decodes, validates, re-encodes
and sends each event (bench.consume_loop's contender); the notifier also chooses the contact,
fills and fits the template, reads contacts, waiting events and the ledger (one `$in` each per
batch) and, after the sends, inserts the contacts and ledger entries on the MongoDB-wire store
at MONGODB_URI (a fresh database per run, dropped after). Runs alternate so drift hits both.
"""

from __future__ import annotations

import os
import statistics
import uuid
from functools import partial
from typing import Any

from pymongo import MongoClient

from bench import consume_loop
from services.notify.config import Settings
from services.notify.directory import load_opd_names
from services.notify.handler import Notifier
from services.notify.notices import Composer
from services.notify.repository import ContactBook, Ledger, Waiting
from services.notify.templates import load_templates
from shared.config import KafkaSettings, Topics
from shared.events.registry import decode
from shared.kafka.admin import TopicSpec, ensure_topics
from shared.kafka.loop import ConsumeLoop

DEFAULT_URI = "mongodb://127.0.0.1:27017/"


def run(*, records: int, repeats: int) -> str:
    """Measure both contenders `repeats` times over `records` receipts; return the table."""
    kafka = KafkaSettings()
    uri = os.environ.get("MONGODB_URI", DEFAULT_URI)
    source = consume_loop._prefill(kafka, records)
    suffix = uuid.uuid4().hex[:8]
    sink = f"bench.sink.{suffix}"
    template = f"bench.notify.{suffix}.{{channel}}"
    specs = [TopicSpec(sink, 3), TopicSpec(template.format(channel="sms"), 3)]
    ensure_topics(kafka.bootstrap_servers, specs)
    rates: dict[str, list[float]] = {"consume loop, forward": [], "notifier": []}
    for _ in range(repeats):
        forward = partial(consume_loop._loop, kafka, source, sink, records)
        rates["consume loop, forward"].append(consume_loop._timed(records, forward))
        notify = partial(_notifier, kafka, uri, source, template, records)
        rates["notifier"].append(consume_loop._timed(records, notify))
    return _table(rates, records, repeats)


def _notifier(
    kafka: KafkaSettings, uri: str, source: str, template: str, records: int
) -> tuple[int, float]:
    settings = Settings()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    name = f"bench_notify_{uuid.uuid4().hex[:8]}"
    db = client[name]
    waiting = Waiting(db["notify_waiting"])
    waiting.ensure_indexes()
    composer = Composer(
        templates=load_templates(settings.templates_file, status_url=settings.status_url),
        opds=load_opd_names(settings.opd_file),
        status_url=settings.status_url,
    )
    notifier = Notifier(
        composer, ContactBook(db["notify_contacts"]), Ledger(db["notify_ledger"]), waiting,
        Topics(notify_template=template),
    )  # fmt: skip
    consumer = consume_loop._consumer(kafka, source)
    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer, lambda: consume_loop._producer(kafka), service="bench-notify",
        decode=decode, handle=notifier.handle,
    )  # fmt: skip
    try:
        return consume_loop._drain(loop.run_once, records)
    finally:
        loop.close()
        consumer.close()
        client.drop_database(name)
        client.close()


def _table(rates: dict[str, list[float]], records: int, repeats: int) -> str:
    base, notify = rates["consume loop, forward"], rates["notifier"]
    ratio = statistics.median(n / b for n, b in zip(notify, base, strict=True))
    lines = [
        f"Notifier benchmark: {records} receipts, {repeats} alternating runs each",
        f"{'contender':<24}{'median msg/s':>14}   runs (msg/s)",
    ]
    for name, values in rates.items():
        runs = ", ".join(f"{v:,.0f}" for v in values)
        lines.append(f"{name:<24}{statistics.median(values):>14,.0f}   {runs}")
    lines.append(f"ratio notifier / forward (median of paired runs): {ratio:.2f}")
    return "\n".join(lines)
