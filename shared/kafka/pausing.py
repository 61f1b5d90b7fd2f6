"""Waiting out an unavailable dependency without leaving the group: the batch's partitions are
sought back to its first records and paused, the retry is scheduled after a capped, jittered
backoff, and polling goes on (paused partitions return nothing) until it is due."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from shared import metrics
from shared.kafka.policy import LoopPolicy, Unavailable, why
from shared.kafka.progress import Progress

log = logging.getLogger(__name__)

Batch = dict[TopicPartition, list[Any]]


class Pauses:
    """The partitions held for a dependency, and when to try them again."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        *,
        service: str,
        policy: LoopPolicy,
        progress: Progress,
        stop: threading.Event,
    ) -> None:
        self._consumer = consumer
        self._service = service
        self._policy = policy
        self._progress = progress
        self._stop = stop
        self._paused: set[TopicPartition] = set()
        self._failures = 0
        self._retry_at = 0.0

    @property
    def any(self) -> bool:
        """Whether some partitions wait paused."""
        return bool(self._paused)

    def hold(self, batch: Batch, exc: Unavailable) -> None:
        """Seek the batch's partitions back to its first records and pause them until the
        backoff has passed; a partition moved by a rebalance starts over at its new owner."""
        assigned = self._consumer.assignment()
        for tp, records in batch.items():
            if tp in assigned:
                self._consumer.seek(tp, records[0].offset)
                self._paused.add(tp)
        self._consumer.pause(*self._paused)
        self._progress.paused(self._paused)
        self.wait_for(exc, pause=True)

    def rewind(self, batch: Batch) -> None:
        """A dropped batch: its partitions start over at once (no outage to wait for)."""
        assigned = self._consumer.assignment()
        for tp, records in batch.items():
            if tp in assigned:
                self._consumer.seek(tp, records[0].offset)

    def wait_for(self, exc: Unavailable, *, pause: bool = False) -> None:
        """Mark the dependency down and schedule the retry; sleep here when nothing is paused
        (a failing poll), else poll on, paused, until the retry time."""
        self._failures += 1
        delay = self._policy.backoff.delay(self._failures)
        metrics.BATCH_RETRIES.labels(self._service, exc.dependency).inc()
        self._progress.dependency_down(exc.dependency, str(exc))
        log.warning("dependency unavailable; retrying", extra={**why(exc), "retry_in_s": delay})
        self._retry_at = time.monotonic() + delay
        if not pause:
            self._stop.wait(delay)
        self._progress.raise_if_stalled()

    def resume_when_due(self) -> None:
        """Resume the paused partitions once the retry is due (raise Stalled past the limit)."""
        if not self._paused:
            return
        if time.monotonic() < self._retry_at:
            self._progress.raise_if_stalled()
            return
        assigned = self._consumer.assignment()
        self._consumer.resume(*(tp for tp in self._paused if tp in assigned))
        self._paused.clear()
        self._progress.paused(self._paused)

    def recovered(self) -> None:
        """Every dependency answered: the next outage starts its backoff afresh."""
        self._failures = 0
        self._progress.progressed()
