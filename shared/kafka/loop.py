"""The one consume loop of every kafka-python service.

Per record: decode (poison goes to `<topic>.dlq` at once), handle (transient errors are retried
with backoff, then dead-lettered; any other error dead-letters), send what the handler returns.
Per polled batch: flush the producer, check every send, and only then commit the offsets, so a
crash replays the batch instead of losing it (handlers are idempotent).

When Kafka is down: sends fail or polls stay empty and the idle probe fails; the loop rewinds to
the last committed batch and keeps trying, and once Kafka has been unreachable for longer than
`unavailable_exit_s` it raises KafkaUnavailable, which each service's `__main__` turns into a
non-zero exit so the supervisor restarts it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared import headers
from shared.events import CONTENT_TYPE, Envelope, encode
from shared.kafka.deadletter import dead_letter_headers
from shared.metrics import ConsumerMetrics
from shared.retry import TRANSIENT_ERRORS, Backoff
from shared.topics import dead_letter

log = logging.getLogger(__name__)

T = TypeVar("T")
Headers = tuple[tuple[str, bytes], ...]
_CE_HEADERS: Headers = ((headers.CONTENT_TYPE, CONTENT_TYPE.encode()),)


class KafkaUnavailable(RuntimeError):
    """Kafka has been unreachable for longer than the service may wait."""


@dataclass(frozen=True)
class Outgoing:
    """One record a handler wants sent."""

    topic: str
    key: str
    value: bytes
    headers: Headers = ()

    @classmethod
    def event(cls, topic: str, event: Envelope[Any]) -> Outgoing:
        """Send an event keyed by its complaint id, in CloudEvents structured mode."""
        return cls(topic, event.subject, encode(event), _CE_HEADERS)


@dataclass(frozen=True)
class LoopPolicy:
    """The error policy; the same in every consumer."""

    backoff: Backoff = field(default_factory=Backoff)
    transient: tuple[type[BaseException], ...] = TRANSIENT_ERRORS
    unavailable_exit_s: float = 60.0
    idle_probe_s: float = 5.0
    poll_timeout_ms: int = 500


class _BatchFailed(Exception):
    """The batch cannot finish (a send failed, or a stop came mid-retry): not the record's
    fault, so it is neither dead-lettered nor committed, and is processed again later."""


class ConsumeLoop(Generic[T]):
    """Consume, handle, produce, commit; see the module docstring for the policy."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        *,
        service: str,
        decode: Callable[[bytes], T],
        handle: Callable[[T], Iterable[Outgoing]],
        policy: LoopPolicy | None = None,
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._service = service
        self._decode = decode
        self._handle = handle
        self._policy = policy or LoopPolicy()
        self._metrics = ConsumerMetrics(service)
        self._stop = threading.Event()
        self._pending: list[Any] = []
        self._last_contact = time.monotonic()
        self.last_iteration = time.monotonic()  # read by /livez

    def run(self) -> None:
        """Process until `stop()` is called; raise KafkaUnavailable when Kafka stays away."""
        while not self._stop.is_set():
            self.run_once()

    def stop(self) -> None:
        """Ask the loop to finish its current batch and return."""
        self._stop.set()

    def run_once(self) -> int:
        """Poll one batch and process it; return how many records were processed."""
        self.last_iteration = time.monotonic()
        batch = self._consumer.poll(timeout_ms=self._policy.poll_timeout_ms)
        if not batch:
            self._probe_when_idle()
            return 0
        self._last_contact = time.monotonic()
        try:
            offsets = self._process_batch(batch)
            self._flush()
            self._consumer.commit(offsets)
        except (_BatchFailed, KafkaError) as exc:
            self._rewind(batch, exc)
            return 0
        return sum(len(records) for records in batch.values())

    def _process_batch(self, batch: dict[TopicPartition, list[Any]]) -> dict[TopicPartition, Any]:
        """Process every record; return the offsets to commit. Metrics are counted per
        partition batch, not per record, to keep them off the hot path."""
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for tp, records in batch.items():
            started = time.perf_counter()
            outcomes = Counter(self._process(record) for record in records)
            self._metrics.observe_batch(tp.topic, outcomes, time.perf_counter() - started)
            offsets[tp] = OffsetAndMetadata(records[-1].offset + 1, "", -1)
        return offsets

    def _process(self, record: Any) -> str:
        """Process one record; return its outcome."""
        try:
            item = self._decode(record.value)
        except Exception as exc:  # poison: undecodable or invalid, retrying cannot help
            self._dead_letter(record, exc, attempts=1)
            return "dead_lettered"
        return self._handle_with_retries(record, item)

    def _handle_with_retries(self, record: Any, item: T) -> str:
        backoff = self._policy.backoff
        for attempt in range(1, backoff.attempts + 1):
            try:
                outgoing = list(self._handle(item))  # collect first: a retry must not half-send
            except self._policy.transient as exc:
                if attempt == backoff.attempts:
                    self._dead_letter(record, exc, attempts=attempt)
                    return "dead_lettered"
                log.warning("transient error, retrying", extra=_context(record, exc, attempt))
                if self._stop.wait(backoff.delay(attempt)):
                    raise _BatchFailed("stopping during retries") from exc
            except Exception as exc:  # a permanent error for this record: park it, go on
                self._dead_letter(record, exc, attempts=attempt)
                return "dead_lettered"
            else:
                for out in outgoing:
                    self._send(out.topic, out.key.encode(), out.value, list(out.headers))
                return "ok" if attempt == 1 else "retried"
        raise AssertionError("unreachable: the last attempt returns")

    def _dead_letter(self, record: Any, exc: BaseException, *, attempts: int) -> None:
        log.error("dead-lettering record", extra=_context(record, exc, attempts))
        self._metrics.dead_lettered(record.topic, type(exc).__name__)
        hdrs = dead_letter_headers(record, exc, attempts=attempts, service=self._service)
        self._send(dead_letter(record.topic), record.key, record.value, hdrs)

    def _send(self, topic: str, key: bytes | None, value: bytes, hdrs: list[Any]) -> None:
        try:
            self._pending.append(self._producer.send(topic, key=key, value=value, headers=hdrs))
        except KafkaError as exc:  # no metadata within max_block_ms: Kafka is away
            raise _BatchFailed(f"send to {topic} failed: {exc}") from exc

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        self._producer.flush()
        for future in pending:
            if future.failed():
                raise _BatchFailed(f"send failed: {future.exception}")

    def _rewind(self, batch: dict[TopicPartition, list[Any]], exc: BaseException) -> None:
        """Go back to the batch's first records so they are processed again, not skipped."""
        self._pending = []
        log.warning("batch failed, rewinding", extra={"error": str(exc)})
        assigned = self._consumer.assignment()
        for tp, records in batch.items():
            if tp in assigned:  # a rebalance may have moved it: its new owner starts over
                self._consumer.seek(tp, records[0].offset)
        self._fail_if_gone_too_long()

    def _probe_when_idle(self) -> None:
        """With nothing to read, ask Kafka something real now and then to know it is there."""
        if time.monotonic() - self._last_contact < self._policy.idle_probe_s:
            return
        topics = sorted(self._consumer.subscription() or [])
        try:
            if topics:
                self._consumer.end_offsets([TopicPartition(topics[0], 0)], timeout_ms=5_000)
            self._last_contact = time.monotonic()
        except KafkaError as exc:
            log.warning("Kafka did not answer", extra={"error": str(exc)})
            self._fail_if_gone_too_long()

    def _fail_if_gone_too_long(self) -> None:
        gone_s = time.monotonic() - self._last_contact
        if gone_s > self._policy.unavailable_exit_s:
            raise KafkaUnavailable(f"Kafka unreachable for {gone_s:.0f}s")


def _context(record: Any, exc: BaseException, attempt: int) -> dict[str, Any]:
    return {
        "complaint_id": record.key.decode(errors="replace") if record.key else None,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "error_class": type(exc).__name__,
        "error": str(exc)[:500],
        "attempt": attempt,
    }
