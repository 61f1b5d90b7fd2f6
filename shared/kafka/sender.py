"""Sending a batch's records: every send's future is kept, and the flush checks them all, so a
batch is committed only when each of its records (dead letters included) reached Kafka."""

from __future__ import annotations

import logging
from typing import Any

from kafka.errors import KafkaError

from shared.kafka.commits import Commits
from shared.kafka.deadletter import dead_letter_headers
from shared.kafka.policy import Unavailable, context_of
from shared.retry import KAFKA
from shared.topics import dead_letter

log = logging.getLogger(__name__)


class Sender:
    """Sends with the commit mode's producer and checks the sends at `flush`."""

    def __init__(self, commits: Commits, *, service: str) -> None:
        self._commits = commits
        self._service = service
        self._pending: list[Any] = []

    def send(self, topic: str, key: bytes | None, value: bytes, headers: list[Any]) -> None:
        """Send one record; Kafka away (no metadata within max_block_ms) is Unavailable."""
        try:
            future = self._commits.producer().send(topic, key=key, value=value, headers=headers)
        except KafkaError as exc:
            raise Unavailable(KAFKA, exc) from exc
        self._pending.append(future)

    def dead_letter(self, record: Any, exc: BaseException) -> None:
        """Send `record` as it is to its topic's dead-letter topic, with why."""
        log.error("dead-lettering record", extra=context_of(record, exc))
        hdrs = dead_letter_headers(record, exc, attempts=1, service=self._service)
        self.send(dead_letter(record.topic), record.key, record.value, hdrs)

    def flush(self) -> None:
        """Flush and check every send since the last flush; any failure is Unavailable."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        self._commits.producer().flush()
        failed = next((f.exception for f in pending if f.failed()), None)
        if failed is not None:
            self._commits.send_failed()
            raise Unavailable(KAFKA, failed)

    def forget(self) -> None:
        """Drop the futures of a failed batch (it is sent again when replayed)."""
        self._pending = []
