"""What a dead-letter record says: the original headers plus where it came from and why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from shared import headers
from shared.errors import describe


class SourceRecord(Protocol):
    """The parts of a consumed record a dead letter refers to (any Kafka client's record)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def headers(self) -> Iterable[tuple[str, bytes]] | None: ...


def dead_letter_headers(
    record: SourceRecord, exc: BaseException, *, attempts: int, service: str
) -> list[tuple[str, bytes]]:
    """Return the record's own headers (minus any earlier `dlq.*`) and the failure's."""
    original = [(k, v) for k, v in (record.headers or []) if not k.startswith("dlq.")]
    return [
        *original,
        (headers.DLQ_SOURCE_TOPIC, record.topic.encode()),
        (headers.DLQ_SOURCE_PARTITION, str(record.partition).encode()),
        (headers.DLQ_SOURCE_OFFSET, str(record.offset).encode()),
        (headers.DLQ_ERROR_CLASS, type(exc).__name__.encode()),
        (headers.DLQ_ERROR_MESSAGE, describe(exc).encode()),  # never the input values
        (headers.DLQ_ATTEMPTS, str(attempts).encode()),
        (headers.DLQ_SERVICE, service.encode()),
        (headers.DLQ_FAILED_AT, datetime.now(UTC).isoformat().encode()),
    ]
