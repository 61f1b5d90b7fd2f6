"""The outbox relay's loop: a background thread of the intake process.

Why a thread inside the API process and not a consumer process of its own: it consumes no
topic. It drains the intake's own outbox (the complaints this process and its replicas stored),
so it lives and dies with the app that fills it, started and stopped by the FastAPI lifespan.
It is woken at once after each insert and otherwise polls; several replicas share the work
through per-document claims (see ComplaintRepository.claim_pending).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Protocol

from pymongo.errors import PyMongoError

from services.intake import metrics
from services.intake.accept import RelayClaim
from services.intake.outbox import (
    Marker,
    OutboxStore,
    RelayConfig,
    RoundResult,
    Sender,
    relay_round,
)
from services.intake.repository import StoredComplaint
from shared.retry import Backoff

log = logging.getLogger(__name__)

# The pending count is a full scan on FerretDB (seconds at 10,000 complaints): seldom.
_COUNT_EVERY_S = 60.0


class PendingCounter(OutboxStore, Protocol):
    """An outbox store that can also count what is pending, for the gauge."""

    def count_pending(self) -> int: ...


class OverlappedMarks:
    """The store, but marking published runs on a thread of its own, beside the next round.

    Marking a batch published is one `update_many`, yet FerretDB reads and rewrites each
    document (about 1.6 ms each on the local one: a fifth of a loaded relay's time, README "The
    relay after a burst"); the next round's look-up and sends need not wait for it. At most one
    mark is in flight, and a scan's claim waits for it, so a scan never sees a batch as pending
    that was sent. If the mark fails (Mongo away) it is logged and counted: its complaints stay
    claimed until their lease ends, then the scan sends them again under the same event id,
    which consumers drop as a replay; nothing is lost, as when an inline mark failed.
    """

    def __init__(self, store: PendingCounter) -> None:
        self._store = store
        self._marker = ThreadPoolExecutor(1, thread_name_prefix="outbox-mark")
        self._in_flight: Future[None] | None = None

    def claim_pending(
        self, *, owner: str, limit: int, lease: timedelta, now: datetime
    ) -> list[StoredComplaint]:
        self.settle()
        return self._store.claim_pending(owner=owner, limit=limit, lease=lease, now=now)

    def mark_published(self, complaint_ids: list[str], *, at: datetime) -> None:
        self.settle()
        if complaint_ids:
            self._in_flight = self._marker.submit(self._store.mark_published, complaint_ids, at=at)

    def release(self, complaint_ids: list[str]) -> None:
        self._store.release(complaint_ids)

    def count_pending(self) -> int:
        return self._store.count_pending()

    def settle(self) -> None:
        """Wait for the mark in flight, if any; a failed one is logged and counted."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is None:
            return
        try:
            in_flight.result()
        except PyMongoError as exc:
            metrics.OUTBOX_FAILURES.labels("mark").inc()
            log.warning("marking published failed", extra={"error": str(exc)[:300]})

    def close(self) -> None:
        """Finish the mark in flight and stop its thread."""
        self.settle()
        self._marker.shutdown()


class RelayWorker:
    """Run relay rounds until stopped; keep going (with backoff) while Kafka or Mongo is away."""

    def __init__(
        self,
        store: PendingCounter,
        connect: Callable[[], Any],
        config: RelayConfig,
        *,
        poll_s: float = 1.0,
        scan_s: float = 30.0,
        backoff: Backoff | None = None,
        mark: Marker | None = None,
        overlap_marks: bool = False,
    ) -> None:
        # Overlapped, marking published goes on while the next round runs (OverlappedMarks);
        # the app overlaps, tests that read the store right after a round do not.
        self._overlapped = OverlappedMarks(store) if overlap_marks else None
        self._store: PendingCounter = self._overlapped or store
        self._connect = connect  # returns a producer; may raise while Kafka is unreachable
        self._config = config
        self._poll_s = poll_s
        self._scan_s = scan_s  # a scan is the safety net, not the path: seldom
        self._backoff = backoff or Backoff(base_s=0.5, cap_s=10.0)
        self._mark = mark  # possible duplicates, one look-up per round (linker.py)
        self._producer: Any = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._counted_at = -_COUNT_EVERY_S
        self._offered: deque[StoredComplaint] = deque()
        self._scan_at = 0.0  # when the next round scans the store (see run_round)
        self.last_iteration = time.monotonic()  # read by /livez

    def start(self) -> None:
        """Start relaying in the background."""
        self._thread.start()

    def claim(self) -> RelayClaim:
        """The claim a new complaint is stored with, so that this relay sends it."""
        return RelayClaim(owner=self._config.owner, lease=self._config.lease)

    def offer(self, complaint: StoredComplaint) -> None:
        """Hand over a complaint just stored with `claim()`: sent in the next round, no query."""
        self._offered.append(complaint)
        self._wake.set()

    def wake(self) -> None:
        """Ask for a round now."""
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the current round, then flush and close the producer."""
        self._stop.set()
        self._wake.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout_s)
        self._close_producer(timeout_s)
        if self._overlapped is not None:
            self._overlapped.close()
        self._release_offered()

    def _release_offered(self) -> None:
        """Give the offered complaints back to the store's scan (this process will not send
        them soon): they are released at once instead of waiting out their lease."""
        ids = [complaint.complaint_id for complaint in self._offered]
        self._offered.clear()
        try:
            self._store.release(ids)
        except PyMongoError as exc:  # their leases run out instead
            log.warning("could not release offered complaints", extra={"error": str(exc)[:300]})

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self.last_iteration = time.monotonic()
            self._wake.clear()  # before the round: a wake during it triggers the next one
            result = self.run_round()
            if result.error:
                failures += 1
                self._stop.wait(max(self._poll_s, self._backoff.delay(failures)))
                continue
            failures = 0
            if result.claimed < self._config.batch_size:  # a full batch: more may be waiting
                self._wake.wait(self._poll_s)

    def run_round(self) -> RoundResult:
        """Run one round; never raise, report the trouble in the result instead."""
        if self._producer is None:
            try:
                self._producer = self._connect()
            except Exception as exc:  # Kafka unreachable: complaints wait in the outbox
                self._release_offered()
                return self._failed("connect", exc)
        fresh = self._take_offered()
        if not fresh and time.monotonic() < self._scan_at:
            return RoundResult()  # nothing offered, no scan due
        try:
            result = relay_round(
                self._store, self._sender(), self._config, fresh=fresh or None, mark=self._mark
            )
        except PyMongoError as exc:
            return self._failed("mongo", exc)
        self._after(result, scanned=not fresh)
        if result.error and result.error.startswith("flush"):
            # Drop what the producer still buffers: those complaints stay claimed and are sent
            # again when their lease ends, rather than trickling out of an old producer too.
            self._close_producer(0)
        return result

    def _after(self, result: RoundResult, *, scanned: bool) -> None:
        """Schedule the next scan: `scan_s` after this one ended (a slow scan must not be
        followed by another at once), or at once when a round left complaints to the store."""
        if result.error:
            self._scan_at = 0.0
        elif scanned:
            self._scan_at = time.monotonic() + self._scan_s
            self._update_pending_gauge()

    def _take_offered(self) -> list[StoredComplaint]:
        """The offered complaints, up to a backlog batch; none when a scan is due, so the
        store's leftovers are picked up every `scan_s` even while fresh complaints keep coming.
        A round that fails releases its complaints in the store, where the next scan finds them.

        All that waits, up to `backlog_batch_size`: a round's cost is mostly per round, not per
        complaint (one postings find whose documents are per key and filed batch, one filing,
        one mark; README, "The relay after a burst"), so after a burst bigger rounds drain
        faster, while in a quiet moment a round is what just came, often one complaint.
        """
        if time.monotonic() >= self._scan_at:
            return []
        limit = max(self._config.batch_size, self._config.backlog_batch_size)
        taken: list[StoredComplaint] = []
        while self._offered and len(taken) < limit:
            taken.append(self._offered.popleft())
        return taken

    def _update_pending_gauge(self) -> None:
        """Count pending complaints after a scan, at most every `_COUNT_EVERY_S`."""
        now = time.monotonic()
        if now - self._counted_at >= _COUNT_EVERY_S:
            metrics.OUTBOX_PENDING.set(self._store.count_pending())
            self._counted_at = now

    def _sender(self) -> Sender:
        return self._producer  # type: ignore[no-any-return]

    def _failed(self, reason: str, exc: BaseException) -> RoundResult:
        metrics.OUTBOX_FAILURES.labels(reason).inc()
        log.warning("relay round failed", extra={"reason": reason, "error": str(exc)[:500]})
        return RoundResult(error=f"{reason}: {type(exc).__name__}: {exc}")

    def _close_producer(self, timeout_s: float) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=timeout_s)
            except Exception as exc:  # closing is best effort; the outbox still holds the data
                log.warning("producer close failed", extra={"error": str(exc)[:500]})
