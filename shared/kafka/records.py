"""What flows through the consume loop: records in, records out, and records refused."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared import headers
from shared.events import CONTENT_TYPE, Envelope, encode
from shared.retry import dependency_of

T = TypeVar("T")
Headers = tuple[tuple[str, bytes], ...]
_CE_HEADERS: Headers = ((headers.CONTENT_TYPE, CONTENT_TYPE.encode()),)


@dataclass(frozen=True)
class Received(Generic[T]):
    """One consumed record and what it decoded to."""

    record: Any  # a kafka-python ConsumerRecord (topic, partition, offset, key, value, headers)
    item: T


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
class Refused:
    """A record that can never succeed as it is (e.g. a refused transition): dead-letter it."""

    received: Received[Any]
    error: Exception


@dataclass(frozen=True)
class Then:
    """Work to do once the batch's records are sent and flushed, before its offsets commit:
    e.g. storing state, so that nothing is stored whose consequences were not sent."""

    action: Callable[[], None]


Result = Outgoing | Refused | Then
BatchHandler = Callable[[Sequence[Received[T]]], Iterable[Result]]


def per_record(handle: Callable[[T], Iterable[Outgoing]]) -> BatchHandler[T]:
    """Adapt a one-record handler to the loop's batch interface.

    A record whose handler raises a permanent error is refused; an unavailable dependency
    propagates, so the loop holds the whole batch and tries it again later.
    """

    def handle_batch(batch: Sequence[Received[T]]) -> list[Result]:
        results: list[Result] = []
        for received in batch:
            try:
                results.extend(handle(received.item))
            except Exception as exc:
                if dependency_of(exc) is not None:
                    raise
                results.append(Refused(received, exc))
        return results

    return handle_batch
