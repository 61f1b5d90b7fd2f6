"""The one consume loop of every kafka-python service, and its error policy.

Per polled batch: decode every record (poison goes to `<topic>.dlq` at once), hand the batch to
the service's handler, send what it returns plus the dead letters of what it refused, flush,
check every send, and only then commit. A crash replays the batch; handlers are idempotent.

An unavailable dependency is not poison. When the handler raises an error that names one
(Mongo, an HTTP target; see `shared.retry.dependency_of`), or Kafka refuses a send or a commit,
the loop seeks the batch's partitions back to its first records, pauses them, and tries again
after a capped, jittered backoff, without limit and without committing. Polling goes on while
paused, so the consumer stays in its group. `/readyz` says which dependency is away; the
dependency and paused-partition gauges show it. A rebalance or a fenced commit is a normal
event: the partitions' new owner replays from the last commit.

A handler error that names no dependency is a record's fault, or a bug: the batch is split and
each record tried alone, so only the record that fails by itself is dead-lettered.

With `transactional=True` the batch's sends and its offsets commit in one Kafka transaction
instead (see `shared.kafka.transactions`): exactly once for consume-transform-produce.

The parts, one job each: `commits` (the plain commit mode and the protocol `transactions`
also implements), `sender` (sends and their checked flush), `pausing` (holding partitions for
a dependency), `progress` (health), `records` (what flows in and out).

Liveness follows progress: when records have waited without a commit for longer than
`stall_limit_s` (a dependency or Kafka away that long), `run` raises Stalled and the service
exits with its documented code so the supervisor restarts it.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.kafka.batch_metrics import BatchMetrics
from shared.kafka.commits import Commits, ConsumerCommits, Dropped, Offsets
from shared.kafka.pausing import Batch, Pauses
from shared.kafka.policy import LoopPolicy, Unavailable, unavailable_on_dependency, why
from shared.kafka.progress import Progress, Stalled
from shared.kafka.records import BatchHandler, Outgoing, Received, Refused, Result, Then
from shared.kafka.sender import Sender
from shared.kafka.transactions import Transactions
from shared.retry import KAFKA, dependency_of

__all__ = [
    "ConsumeLoop",
    "LoopPolicy",
    "Outgoing",
    "Received",
    "Refused",
    "Stalled",
    "Then",
    "Unavailable",
]
Tick = Callable[[], Iterable[Result]]

log = logging.getLogger(__name__)

T = TypeVar("T")


# A polled batch allocates some 15,000 objects (its decoded events) and frees them together.
YOUNG_GENERATION = 20_000


def tune_collector() -> None:
    """Keep the cyclic garbage collector off the hot path of a process that runs the loop.

    What exists by now (modules, schemas, clients, settings) lives as long as the process:
    freeze it, so the collector's full collections stop walking it again. And let a whole
    batch's objects come and go before a young collection (Python's default runs one every
    700 net allocations: some 20 per batch, each promoting live events towards the full
    collections). The loop's own objects form few cycles; what does is still collected, a
    batch or so later. Measured on 20,000 records (bench/consume_loop.py): the collector took
    1.4 of the loop's 2.4 s of CPU, 0.4 s frozen, 0.01 s frozen with this young generation."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, older, oldest)


class ConsumeLoop(Generic[T]):
    """Consume, handle, produce, commit; see the module docstring for the policy."""

    def __init__(
        self,
        consumer: KafkaConsumer,
        make_producer: Callable[[], KafkaProducer],
        *,
        service: str,
        decode: Callable[[bytes], T],
        handle: BatchHandler[T],
        policy: LoopPolicy | None = None,
        tick: Tick | None = None,
        transactional: bool = False,
    ) -> None:
        if transactional and tick is not None:
            raise ValueError("timer work outside a batch has no offsets to commit transactionally")
        self._consumer = consumer
        self._service = service
        self._decode = decode
        self._handle = handle
        self._policy = policy or LoopPolicy()
        # `make_producer` makes producers with a transactional.id when transactional.
        self._commits: Commits = (
            Transactions(consumer, make_producer)
            if transactional
            else ConsumerCommits(consumer, make_producer, timeout_ms=self._policy.commit_timeout_ms)
        )
        self._sender = Sender(self._commits, service=service)
        self.progress = Progress(service, stall_limit_s=self._policy.stall_limit_s)
        self._stop = threading.Event()
        self._pauses = Pauses(
            consumer, service=service, policy=self._policy, progress=self.progress, stop=self._stop
        )
        self._last_contact = time.monotonic()
        # Timer work (e.g. the sla's sweeps), run between batches: its results are sent like a
        # batch's, with nothing to commit.
        self._tick = tick
        self._next_tick = 0.0
        self._metrics = BatchMetrics(service, consumer.config.get("group_id") or "")
        tune_collector()

    def run(self) -> None:
        """Process until `stop()` is called; raise Stalled when progress stops for too long."""
        while not self._stop.is_set():
            self.run_once()

    def stop(self) -> None:
        """Ask the loop to finish its current batch and return."""
        self._stop.set()

    def close(self, timeout_s: float = 10.0) -> None:
        """Flush and close the producer (the caller closes the consumer)."""
        self._commits.close(timeout_s)

    def run_once(self) -> int:
        """Poll one batch and process it; return how many records were committed."""
        self.progress.went_round()
        self._pauses.resume_when_due()
        if not self._ready_to_poll():
            return 0
        try:
            batch: Batch = self._consumer.poll(timeout_ms=self._policy.poll_timeout_ms)
        except KafkaError as exc:
            self._pauses.wait_for(Unavailable(KAFKA, exc))
            return 0
        if not batch:
            self._probe_when_idle()
            self._tick_when_due()
            return 0
        started = time.perf_counter()
        if not self._settled(batch):
            return 0
        self._metrics.batch_took(time.perf_counter() - started)
        self._recovered()
        self._tick_when_due()
        return sum(len(records) for records in batch.values())

    def _settled(self, batch: Batch) -> bool:
        """Process the batch; on a failure hold, rewind or abandon it and return False."""
        try:
            self._process(batch)
        except Dropped:
            self._sender.forget()
            self._pauses.rewind(batch)
            return False
        except (Unavailable, KafkaError) as exc:  # any client error mid-batch: hold, never skip
            self._abandon(batch)
            self._pauses.hold(
                batch, exc if isinstance(exc, Unavailable) else Unavailable(KAFKA, exc)
            )
            return False
        except BaseException:
            self._abandon(batch)
            raise
        return True

    def _process(self, batch: Batch) -> None:
        """Decode, handle, send, flush and commit one batch, or raise Unavailable."""
        dead: list[tuple[str, str]] = []  # (topic, reason), counted once the batch is committed
        self._commits.begin()
        decoded = [r for records in batch.values() for r in self._decoded(records, dead)]
        self._deliver(self._handle_split(decoded) if decoded else [], dead)
        offsets = {tp: OffsetAndMetadata(rs[-1].offset + 1, "", -1) for tp, rs in batch.items()}
        self._commit(offsets)
        self._metrics.committed(batch, dead)
        for tp, offset in offsets.items():
            self._metrics.lag(tp, offset, self._consumer.highwater(tp))

    def _deliver(self, results: Iterable[Result], dead: list[tuple[str, str]]) -> None:
        """Send the results, flush, then run the batch's `Then` work."""
        after: list[Then] = []
        for result in results:
            if isinstance(result, Then):
                after.append(result)
            elif isinstance(result, Refused):
                dead.append((result.received.record.topic, "refused"))
                self._sender.dead_letter(result.received.record, result.error)
            else:
                self._sender.send(
                    result.topic, result.key.encode(), result.value, list(result.headers)
                )
        self._sender.flush()
        for then in after:
            unavailable_on_dependency(then.action)

    def _decoded(self, records: list[Any], dead: list[tuple[str, str]]) -> list[Received[T]]:
        good: list[Received[T]] = []
        for record in records:
            try:
                good.append(Received(record, self._decode(record.value)))
            except Exception as exc:  # poison: undecodable or invalid, retrying cannot help
                dead.append((record.topic, "poison"))
                self._sender.dead_letter(record, exc)
        return good

    def _handle_split(self, batch: Sequence[Received[T]]) -> Iterable[Result]:
        """Handle the batch; on an error that names no dependency, each record alone."""
        try:
            return list(self._handle(batch))
        except Exception as exc:
            dependency = dependency_of(exc)
            if dependency is not None:
                raise Unavailable(dependency, exc) from exc
            if len(batch) == 1:
                return [Refused(batch[0], exc)]
            log.warning("batch failed; trying its records one by one", extra=why(exc))
            return [result for one in batch for result in self._handle_split([one])]

    def _commit(self, offsets: Offsets) -> None:
        try:
            self._commits.commit(offsets)
        except KafkaError as exc:
            raise Unavailable(KAFKA, exc) from exc

    def _ready_to_poll(self) -> bool:
        """A settled commit mode first (transactions; Kafka away: wait, as for a failing poll)."""
        if self._pauses.any:
            return True
        try:
            self._commits.prepare()
        except KafkaError as exc:
            self._pauses.wait_for(Unavailable(KAFKA, exc))
            return False
        return True

    def _abandon(self, batch: Batch) -> None:
        """Forget the batch's sends; transactional: abort and resync before polling."""
        self._sender.forget()
        self._commits.abandon(batch)

    def _tick_when_due(self) -> None:
        """Run the timer work when due; a failure is logged and tried at the next tick."""
        tick = self._tick
        if tick is None or self._pauses.any or time.monotonic() < self._next_tick:
            return
        self._next_tick = time.monotonic() + self._policy.tick_interval_s
        dead: list[tuple[str, str]] = []
        try:
            self._deliver(list(unavailable_on_dependency(tick)), dead)
        except (Unavailable, KafkaError) as exc:
            self._sender.forget()
            log.warning("timer work failed; trying at the next tick", extra=why(exc))
            return
        self._metrics.dead_lettered(Counter(dead))

    def _recovered(self) -> None:
        self._last_contact = time.monotonic()
        self._pauses.recovered()

    def _probe_when_idle(self) -> None:
        """With nothing to read, ask Kafka something real now and then: an empty poll cannot
        tell an idle topic from a broker that is gone."""
        if self._pauses.any or time.monotonic() - self._last_contact < self._policy.idle_probe_s:
            return
        topics = sorted(self._consumer.subscription() or [])
        try:
            if topics:
                self._consumer.end_offsets([TopicPartition(topics[0], 0)], timeout_ms=5_000)
        except KafkaError as exc:
            self._pauses.wait_for(Unavailable(KAFKA, exc))
            return
        self._recovered()
