"""One round of the outbox relay: claim pending complaints, send, wait for acks, mark.

A complaint is marked published only after the broker acknowledged its event, so a crash or
an outage at any point leaves it pending and it is sent again later. A re-send carries the
same stored event (same event id), so consumers recognise the repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from services.intake import metrics
from services.intake.repository import StoredComplaint
from shared.events import ComplaintReopened, decode
from shared.kafka.loop import Outgoing
from shared.topics import COMPLAINTS_UPDATES

log = logging.getLogger(__name__)


class OutboxStore(Protocol):
    """The part of the repository the relay uses."""

    def claim_pending(
        self, *, owner: str, limit: int, lease: timedelta, now: datetime
    ) -> list[StoredComplaint]: ...

    def mark_published(self, complaint_ids: list[str], *, at: datetime) -> None: ...

    def release(self, complaint_ids: list[str]) -> None: ...


class Sender(Protocol):
    """The part of a KafkaProducer the relay uses."""

    def send(self, topic: str, *, key: bytes, value: bytes, headers: list[Any]) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...


Marker = Callable[[list[StoredComplaint]], list[StoredComplaint]]
"""Returns a batch with its events marked (possible duplicates: linker.DuplicateLinker.mark_outbox)."""


@dataclass(frozen=True)
class RoundResult:
    """What one relay round achieved; `error` says why it stopped short, if it did."""

    claimed: int = 0
    published: int = 0
    error: str | None = None


@dataclass(frozen=True)
class RelayConfig:
    """Where to publish and how much to take at once."""

    topic: str
    owner: str  # this process's claim token
    updates_topic: str = COMPLAINTS_UPDATES  # a reporter's reply on a case (replies.py)
    batch_size: int = 200  # a scan's claim, and a round's size while nothing waits
    backlog_batch_size: int = 1_000  # a round of offered complaints when a backlog waits
    lease: timedelta = timedelta(seconds=60)
    flush_timeout_s: float = 30.0


def outgoing(
    complaint: StoredComplaint, topic: str, updates_topic: str = COMPLAINTS_UPDATES
) -> Outgoing:
    """Return the record to send: the stored event, checked against the contract first; a
    reporter's reply goes to the updates topic, beside the OPDs' events on the case."""
    event = decode(complaint.outbox.event.encode())
    return Outgoing.event(
        updates_topic if isinstance(event.data, ComplaintReopened) else topic, event
    )


def relay_round(
    store: OutboxStore,
    sender: Sender,
    config: RelayConfig,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    fresh: list[StoredComplaint] | None = None,
    mark: Marker | None = None,
) -> RoundResult:
    """Publish one batch of pending complaints; return what happened.

    `fresh` are complaints this process just stored, already claimed by it at insert: they are
    sent without a query. Otherwise the round claims what is pending in the store (a scan on
    FerretDB), which picks up what a crash, an outage or another replica left behind. `mark`
    adds the possible duplicates to the batch's events before they are sent: one look-up per
    batch, off the submissions' path (a re-send is marked again, the same way).
    """
    batch = fresh or store.claim_pending(
        owner=config.owner, limit=config.batch_size, lease=config.lease, now=clock()
    )
    if not batch:
        return RoundResult()
    if mark is not None:
        batch = mark(batch)  # raises while Mongo is unreachable: the batch stays claimed
    futures, refused, error = _send_all(batch, sender, config)
    try:
        sender.flush(timeout=config.flush_timeout_s)
    except Exception as exc:  # a timeout: unfinished sends count as not acknowledged
        error = error or f"flush: {type(exc).__name__}: {exc}"
    acked = [c for c, f in futures if f.succeeded()]
    failed = [c.complaint_id for c, f in futures if f.failed()]
    if failed and error is None:
        error = f"send: {failed_reason(futures)}"
    now = clock()
    store.mark_published([c.complaint_id for c in acked], at=now)
    # Failed and refused sends go back at once for the next round. Sends still in flight after
    # a flush timeout stay claimed until the lease ends, so a late acknowledgement is not
    # followed at once by a second copy; undecodable events wait out the lease too.
    store.release(failed + refused)
    _observe(acked, now, error, len(batch) - len(acked))
    return RoundResult(claimed=len(batch), published=len(acked), error=error)


def _send_all(
    batch: list[StoredComplaint], sender: Sender, config: RelayConfig
) -> tuple[list[tuple[StoredComplaint, Any]], list[str], str | None]:
    """Queue every complaint's event; after the first send the producer refuses, queue none.

    Return the queued sends, the ids never queued because of Kafka, and the error if any.
    """
    futures: list[tuple[StoredComplaint, Any]] = []
    for index, complaint in enumerate(batch):
        try:
            record = outgoing(complaint, config.topic, config.updates_topic)
        except ValueError as exc:  # a stored event the contract no longer accepts
            log.error("undecodable outbox event", extra=_ids(complaint, exc))
            metrics.OUTBOX_FAILURES.labels("undecodable").inc()
            continue
        try:
            future = sender.send(
                record.topic,
                key=record.key.encode(),
                value=record.value,
                headers=list(record.headers),
            )
        except Exception as exc:  # no metadata within max_block_ms: Kafka is away
            refused = [c.complaint_id for c in batch[index:]]
            return futures, refused, f"send: {type(exc).__name__}: {exc}"
        futures.append((complaint, future))
    return futures, [], None


def failed_reason(futures: list[tuple[StoredComplaint, Any]]) -> str:
    """Return the first failed send's error, for the log."""
    return next((f"{f.exception!r}" for _, f in futures if f.failed()), "unknown")


def _observe(acked: list[StoredComplaint], now: datetime, error: str | None, unacked: int) -> None:
    metrics.OUTBOX_PUBLISHED.inc(len(acked))
    for complaint in acked:
        metrics.OUTBOX_DELAY.observe(max(0.0, (now - complaint.received_at).total_seconds()))
    if error:
        metrics.OUTBOX_FAILURES.labels(error.split(":", 1)[0]).inc()
        log.warning("relay round incomplete", extra={"error": error[:500], "unacked": unacked})


def _ids(complaint: StoredComplaint, exc: BaseException) -> dict[str, Any]:
    return {
        "complaint_id": complaint.complaint_id,
        "correlation_id": complaint.correlation_id,
        "error": str(exc)[:500],
    }
