"""The Kafka path: raw connector payloads on `intake.raw.<channel>`, through the same adapters.

A record's value is exactly the JSON body that channel's HTTP route takes; its `aduan.connector`
header names the connector, which must be configured. What cannot be read, validated or
attributed is refused (dead-lettered with the reason); an unavailable Mongo is raised, so the
loop holds the batch and tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from services.intake import metrics
from services.intake.accept import Acceptance, RelayClaim, TrackingNumbersExhausted, accept
from services.intake.adapters import Adapter
from services.intake.connectors import Connector, with_region
from services.intake.repository import ComplaintRepository, StoredComplaint
from shared import headers
from shared.kafka.records import Received, Refused, Result
from shared.retry import MONGO, TransientError, dependency_of

log = logging.getLogger(__name__)


class FastPath(Protocol):
    """The relay's fast path (relay.RelayWorker): complaints stored with its claim are handed
    to it at once, instead of waiting for its next scan of the store."""

    def claim(self) -> RelayClaim: ...

    def offer(self, complaint: StoredComplaint) -> None: ...


class UnknownConnector(Exception):
    """The record names no connector, or one that is not configured."""


class Unreadable(Exception):
    """The record has no value, or its channel is not served by this consumer."""


@dataclass(frozen=True)
class RawIntake:
    """What the raw-topic handler needs: adapters by topic, connectors, the store."""

    adapters: Mapping[str, Adapter[Any]]  # topic -> that channel's adapter
    connectors: Mapping[str, Connector]
    repo: ComplaintRepository
    state: Any  # what an adapter's `gather` reads (the SMS part store)
    relay: FastPath | None = None  # sends what was accepted; without it, the relay's scan does
    # Accepts a batch's records side by side: their look-ups overlap, and the repository's group
    # commit stores them with one insert per group instead of one round trip each.
    pool: Executor | None = None

    def handle(self, batch: Sequence[Received[bytes]]) -> list[Result]:
        """Accept each record; refuse the ones that can never succeed as they are.

        Mongo away: raised once every record was tried, so the loop holds the whole batch and
        retries it; the records already stored then answer as duplicates, nothing twice.
        """
        outcomes = list(self._map(self._attempt, batch))
        for outcome in outcomes:
            if outcome is not None and dependency_of(outcome) is not None:
                raise outcome  # nothing is dead-lettered or committed
        results: list[Result] = []
        for received, outcome in zip(batch, outcomes, strict=True):
            if outcome is not None:
                metrics.RAW_RECORDS.labels(self.channel_of(received.record), "refused").inc()
                results.append(Refused(received, outcome))
        return results

    def _attempt(self, received: Received[bytes]) -> Exception | None:
        try:
            self.accept_record(received.record)
        except Exception as exc:  # judged by `handle`: a dependency's, or the record's fault
            return exc
        return None

    def _map(
        self, attempt: Callable[[Received[bytes]], Exception | None], batch: Iterable[Any]
    ) -> Iterable[Exception | None]:
        return self.pool.map(attempt, batch) if self.pool is not None else map(attempt, batch)

    def accept_record(self, record: Any) -> Acceptance | None:
        """Parse and accept one record; None while a long SMS waits for its other parts."""
        adapter = self.adapters.get(record.topic)
        if adapter is None or record.value is None:
            raise Unreadable(f"no value, or no adapter for topic {record.topic}")
        connector_id = self.connector_of(record)
        body: BaseModel | None = adapter.parse(record.value)
        if adapter.gather is not None and body is not None:
            body = adapter.gather(body, connector_id, self.state)
        if body is None:
            metrics.RAW_RECORDS.labels(adapter.channel.value, "partial").inc()
            return None
        regional = with_region(adapter, self.connectors[connector_id].region)
        claim = self.relay.claim() if self.relay else None
        try:
            done = accept(self.repo, regional, body, connector_id=connector_id, claim=claim)
        except TrackingNumbersExhausted as exc:  # the store misbehaves, not the record
            raise TransientError(str(exc), dependency=MONGO) from exc
        if self.relay is not None and done.stored is not None:
            self.relay.offer(done.stored)
        outcome = "duplicate" if done.duplicate else "accepted"
        metrics.RAW_RECORDS.labels(adapter.channel.value, outcome).inc()
        return done

    def channel_of(self, record: Any) -> str:
        """Return the channel a record's topic carries (`unknown` for a stray topic)."""
        adapter = self.adapters.get(record.topic)
        return adapter.channel.value if adapter else "unknown"

    def connector_of(self, record: Any) -> str:
        """Return the configured connector the record's header names."""
        value = dict(record.headers or ()).get(headers.INTAKE_CONNECTOR)
        connector_id = value.decode(errors="replace") if value else ""
        if not connector_id:
            raise UnknownConnector(f"the {headers.INTAKE_CONNECTOR} header is missing")
        if connector_id not in self.connectors:
            raise UnknownConnector(f"connector {connector_id!r} is not configured")
        return connector_id
