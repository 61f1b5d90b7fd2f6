"""`python -m services.intake consume`: the raw-topic consumer as its own process.

It runs the shared consume loop over `intake.raw.<channel>` (one consumer group) and, beside
it, an outbox relay like the HTTP intake's, so complaints accepted here reach
`complaints.received` even where no HTTP intake runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from services.intake.adapters import ADAPTERS
from services.intake.app import _producer, _relay_config  # one relay set-up for both commands
from services.intake.config import Settings
from services.intake.group_commit import GroupInserter
from services.intake.linker import duplicate_linker
from services.intake.raw import RawIntake
from services.intake.relay import RelayWorker
from services.intake.repository import ComplaintRepository
from services.intake.sms_parts import SmsPartStore
from shared.health import liveness, mongo_check
from shared.mongo import database, mongo_client
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service, run_consume_service

log = logging.getLogger(__name__)


def raw_topics(settings: Settings, channels: Sequence[str] | None) -> dict[str, str]:
    """Return {topic: channel} of the raw topics to consume (default: every channel)."""
    chosen = list(channels or ADAPTERS)
    unknown = sorted(set(chosen) - set(ADAPTERS))
    if unknown:
        raise ValueError(f"no adapter for channel(s) {unknown}; known: {sorted(ADAPTERS)}")
    return {settings.topics.raw(channel): channel for channel in chosen}


def build_raw_service(settings: Settings, channels: Sequence[str] | None = None) -> ConsumeService:
    """Connect the store, the relay and the consume loop; nothing runs until the loop does."""
    topics = raw_topics(settings, channels)
    client = mongo_client(settings.mongodb_uri, app_name=f"{settings.service_name}-raw")
    db = database(client, settings.mongodb_database)
    complaints = db[settings.collection]
    inserter = GroupInserter(
        lambda docs: complaints.insert_many(docs, ordered=False),
        max_batch=settings.group_commit_max,
        max_wait_s=settings.group_commit_wait_s,
    )
    repo = ComplaintRepository(complaints, inserter)
    repo.ensure_indexes()  # without the unique indexes idempotency silently breaks
    linker = duplicate_linker(client, settings)
    relay = RelayWorker(
        repo,
        lambda: _producer(settings),
        _relay_config(settings),
        poll_s=settings.relay_poll_s,
        scan_s=settings.relay_scan_s,
        mark=linker.mark_outbox if linker is not None else None,  # as the HTTP intake's
    )
    intake = RawIntake(
        adapters={topic: ADAPTERS[channel] for topic, channel in topics.items()},
        connectors=settings.all_connectors(),
        repo=repo,
        state=SimpleNamespace(sms_parts=SmsPartStore(db[settings.sms_parts])),
        # Each accepted complaint goes to the relay at once, as over HTTP. (It used to be left
        # to a scan of the store every relay_poll_s: a full scan on FerretDB, each second.)
        relay=relay,
        pool=(pool := ThreadPoolExecutor(settings.raw_concurrency, thread_name_prefix="raw")),
    )
    service = build_consume_service(
        settings,
        topics=sorted(topics),
        decode=_raw,
        handle=intake.handle,
        ready={"mongo": mongo_check(client)},
        dependencies=(MONGO,),
        on_close=(
            pool.shutdown,
            inserter.stop,
            lambda: relay.stop(settings.relay_flush_timeout_s),
            client.close,
        ),
    )
    service.live["relay"] = liveness(lambda: relay.last_iteration, settings.live_max_age_s)
    relay.start()
    return service


def run(settings: Settings, channels: Sequence[str] | None) -> int:
    """Run the raw-topic consumer until SIGTERM; return the exit code."""
    service = build_raw_service(settings, channels)
    log.info("raw intake starting", extra={"channels": channels or sorted(ADAPTERS)})
    return run_consume_service(service, host=settings.http_host, port=settings.http_port)


def _raw(value: bytes) -> bytes:
    """Keep the bytes: the handler parses them with the adapter its topic names."""
    return value
