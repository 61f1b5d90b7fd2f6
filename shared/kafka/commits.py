"""How a batch's offsets are committed, and whose producer sends its records: the consumer's
own commit after an idempotent producer's flush (here), or one Kafka transaction
(`shared.kafka.transactions`). The loop talks only to the `Commits` protocol, so it has no
branch on the mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.kafka.policy import why

log = logging.getLogger(__name__)

Offsets = dict[TopicPartition, OffsetAndMetadata]

# The group moved the partitions away (or is moving them): not an outage, the new owner
# replays from the last commit.
MOVED_GROUP = (
    CommitFailedError,
    UnknownMemberIdError,
    IllegalGenerationError,
    RebalanceInProgressError,
)


class Dropped(Exception):
    """The batch was dropped (fenced or moved); rewind and poll again, without a backoff."""


class Commits(Protocol):
    """A commit mode: the producer a batch sends with, and how its offsets commit.

    Kafka errors propagate as KafkaError (the loop holds the batch); `Dropped` means the batch
    must be replayed from its first records at once."""

    def prepare(self) -> None:
        """Before polling: whatever must be settled first (raises KafkaError while away)."""

    def begin(self) -> None:
        """A batch starts."""

    def producer(self) -> KafkaProducer:
        """The producer to send the current batch's (or tick's) records with."""

    def send_failed(self) -> None:
        """A send failed after its retries: the producer's sequence is in doubt."""

    def commit(self, offsets: Offsets) -> None:
        """Commit the batch's offsets (after its records are flushed)."""

    def abandon(self, partitions: Iterable[TopicPartition]) -> None:
        """The batch failed: undo what can be undone before the next poll."""

    def close(self, timeout_s: float) -> None:
        """Flush and close the producer."""


class ConsumerCommits:
    """At least once: an idempotent producer flushed before the consumer commits."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        make_producer: Callable[[], KafkaProducer],
        *,
        timeout_ms: int,
    ) -> None:
        self._consumer = consumer
        self._make_producer = make_producer
        self._timeout_ms = timeout_ms
        self._producer: KafkaProducer | None = None

    def prepare(self) -> None:
        """Nothing to settle before polling."""

    def begin(self) -> None:
        """Nothing to open per batch."""

    def producer(self) -> KafkaProducer:
        """The one producer, made when first needed (Kafka away: KafkaError)."""
        if self._producer is None:
            self._producer = self._make_producer()
        return self._producer

    def send_failed(self) -> None:
        """Start a fresh producer next time (Jepsen's advice after an indefinite error)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=0)

    def commit(self, offsets: Offsets) -> None:
        """Commit with the consumer; a commit refused by a rebalance is not an outage."""
        try:
            self._consumer.commit(offsets, timeout_ms=self._timeout_ms)
        except MOVED_GROUP as exc:
            log.info("commit fenced by a rebalance; the new owner replays", extra=why(exc))

    def abandon(self, partitions: Iterable[TopicPartition]) -> None:
        """Nothing was opened: the loop seeks the partitions back itself."""

    def close(self, timeout_s: float) -> None:
        """Flush what is buffered and close the producer."""
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(timeout=timeout_s)
            producer.close(timeout=timeout_s)
