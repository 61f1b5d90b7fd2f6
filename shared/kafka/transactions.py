"""Kafka transactions for the consume loop: a batch's sends and its offsets commit together.

Per batch: begin, send, send the offsets to the transaction (never a consumer commit), commit.
Downstream consumers read with isolation_level=read_committed, so an aborted batch is invisible.

Every failure inside a transaction ends the producer: the transaction is aborted when that is
still possible, the producer is closed, and the next batch starts a new one whose
`init_transactions` settles whatever the old one left (it completes a commit under way and aborts
the rest). Jepsen's analysis of Kafka's transaction protocol advises exactly this after an
indefinite error such as a timeout during commit. The outcome of such a commit is unknown, so
before polling again the partitions of the failed batch are moved to the offsets the group has
committed: a batch whose commit did land is not processed twice, one that did not is replayed.

A fenced producer (another instance took over its transactional.id) or a commit refused because
the group moved on (KIP-447 group metadata) drops the batch: its partitions are rewound and the
loop polls again, rejoining the group when the coordinator says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import InvalidProducerEpochError, ProducerFencedError
from kafka.structs import TopicPartition

from shared.errors import describe
from shared.kafka.commits import MOVED_GROUP, Dropped, Offsets
from shared.kafka.policy import why

log = logging.getLogger(__name__)

# Another producer holds our transactional.id: this one may never write again.
FENCED_PRODUCER = (ProducerFencedError, InvalidProducerEpochError)


class Transactions:
    """The transactional producer of one loop and the recovery after each failure (a
    `shared.kafka.commits.Commits`)."""

    def __init__(self, consumer: KafkaConsumer, make_producer: Callable[[], KafkaProducer]):
        self._consumer = consumer
        self._make_producer = make_producer
        self._producer: KafkaProducer | None = None
        self._open = False
        self._resync: set[TopicPartition] = set()

    def producer(self) -> KafkaProducer:
        """The producer of the transaction under way."""
        assert self._producer is not None and self._open, "a send outside a transaction"
        return self._producer

    def prepare(self) -> None:
        """Before polling: a producer with settled transactions, and the partitions of a failed
        batch at their committed offsets. Raises KafkaError when Kafka does not answer."""
        if self._producer is None:
            producer = self._make_producer()
            try:
                producer.init_transactions()
            except BaseException:
                producer.close(timeout=0)
                raise
            self._producer = producer
        self._seek_to_committed()

    def begin(self) -> None:
        """Begin the batch's transaction."""
        self.prepare()
        assert self._producer is not None  # prepare made it
        self._producer.begin_transaction()
        self._open = True

    def send_failed(self) -> None:
        """Nothing here: the batch fails, and `abandon` aborts and closes the producer."""

    def commit(self, offsets: Offsets) -> None:
        """Add the offsets to the transaction and commit it; raise Dropped or KafkaError."""
        producer = self._producer
        assert producer is not None and self._open, "commit without a transaction"
        try:
            producer.send_offsets_to_transaction(offsets, self._consumer.group_metadata())
            producer.commit_transaction()
        except FENCED_PRODUCER as exc:
            log.error(
                "producer fenced: another instance uses this transactional.id; batch dropped",
                extra={"error": describe(exc, 300)},
            )
            self.abandon(offsets)
            raise Dropped(str(exc)) from exc
        except MOVED_GROUP as exc:
            log.info("transaction refused by a rebalance; batch dropped", extra=why(exc))
            self.abandon(offsets)
            raise Dropped(str(exc)) from exc
        self._open = False

    def abandon(self, partitions: Iterable[TopicPartition]) -> None:
        """After any failure: abort if possible, close the producer, and resync `partitions`."""
        producer, self._producer = self._producer, None
        self._resync |= set(partitions)
        if producer is None:
            return
        if self._open:
            try:
                producer.abort_transaction()
            except Exception as exc:  # fenced or away: the next init_transactions settles it
                log.info("abort failed; the next producer settles the transaction", extra=why(exc))
        self._open = False
        producer.close(timeout=0)

    def close(self, timeout_s: float) -> None:
        """Close the producer (between batches no transaction is open)."""
        self.abandon(())
        self._resync.clear()

    def _seek_to_committed(self) -> None:
        if not self._resync:
            return
        assigned = self._consumer.assignment()
        for tp in sorted(self._resync & assigned):
            committed = self._consumer.committed(tp)
            if committed is not None:
                self._consumer.seek(tp, committed)
        self._resync.clear()
