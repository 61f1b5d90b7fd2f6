"""Publishing one resolved case to LAPOR!, exactly once in effect, through the ledger.

Order per claimed entry: create the record at LAPOR! unless the ledger already holds its id
(after a create whose answer was lost, look it up by our external id first); store the id at
once; upload each follow-up's attachments (their bytes where they can be fetched, else by
reference: attachments.py) and post the OPD's follow-ups, then the resolution,
recording each; the base class marks the entry `sent`. A retry after an interrupted follow-up
reads the record back and posts only the follow-ups LAPOR! does not hold (matched by our
reference). Transient failures propagate for the loop to retry; refusals mark `failed`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from functools import partial
from typing import Any

from services.publisher import metrics
from services.publisher.attachments import AttachmentFetcher
from services.publisher.lapor import Created, LaporClient
from services.publisher.ledger import LedgerEntry, LedgerKey, may_duplicate
from services.publisher.mapping import (
    LaporMapping,
    PlannedFollowUp,
    external_id,
    follow_up_plan,
    to_lapor_complaint,
)
from services.publisher.target import BreakerOpen, TargetPublisher, UnexpectedEvent
from shared.events import CaseResolved
from shared.events.payloads import Attachment

__all__ = ["TARGET", "BreakerOpen", "LaporPublisher", "UnexpectedEvent"]
log = logging.getLogger(__name__)

TARGET = "lapor"
_REMEMBERED = 1_000  # created ids kept in memory, see _created


class LaporPublisher(TargetPublisher):
    """LAPOR!: create, follow-ups with attachments, resolution."""

    name = TARGET

    def __init__(
        self,
        *,
        client: LaporClient,
        mapping: LaporMapping,
        send_follow_up: bool,
        fetcher: AttachmentFetcher | None = None,
        **base: Any,
    ) -> None:
        super().__init__(**base)
        self._client = self.client = client
        self._fetcher = fetcher  # None: every attachment by reference
        self._mapping = mapping
        self._send_follow_up = send_follow_up
        # Ids LAPOR! gave us in this process: if storing one in Mongo fails, the retry uses
        # it instead of creating the record a second time.
        self._created: OrderedDict[LedgerKey, Created] = OrderedDict()

    def external_id(self, key: LedgerKey) -> str:
        """Return the reference LAPOR! stores with our record."""
        return external_id(key.complaint_id, key.case_version)

    def _publish(self, entry: LedgerEntry, case: CaseResolved, ctx: Any) -> None:
        remote_id = entry.remote_id
        if remote_id is None:
            remote_id = self._create(entry, case, ctx).remote_id
        if self._send_follow_up and not entry.follow_up_sent:
            self._follow_ups(entry, case, remote_id)
        self._created.pop(entry.key, None)

    def _follow_ups(self, entry: LedgerEntry, case: CaseResolved, remote_id: str) -> None:
        plan = follow_up_plan(case, self.external_id(entry.key), self._mapping)
        held = self._held_refs(entry, remote_id)
        for number, planned in enumerate(plan, start=1):
            if number <= entry.follow_ups_sent:
                continue
            if planned.body.external_ref not in held:
                self._post(entry.key, remote_id, planned)
            self.ledger.record_follow_up(
                entry.key, now=self.now(), count=None if number == len(plan) else number
            )

    def _held_refs(self, entry: LedgerEntry, remote_id: str) -> set[str]:
        """Our references among the follow-ups LAPOR! holds; read only on a retry."""
        if entry.attempts <= 1:
            return set()
        record = self.call(entry.key, "read", lambda: self._client.read(remote_id))
        return {str(f.get("external_ref")) for f in record.get("follow_ups") or []}

    def _post(self, key: LedgerKey, remote_id: str, planned: PlannedFollowUp) -> None:
        files = [self._upload(key, a) for a in planned.attachments]
        body = planned.body.model_copy(update={"attachments": files})
        self.call(key, "follow_up", lambda: self._client.add_follow_up(remote_id, body))

    def _upload(self, key: LedgerKey, attachment: Attachment) -> str:
        """Upload the bytes when they can be fetched and LAPOR! takes them; else hand the
        attachment over by reference. Only the calls to LAPOR! pass its breaker."""
        fetched = self._fetcher.fetch(attachment) if self._fetcher is not None else None
        if fetched is not None:
            send = partial(self._client.upload_bytes, attachment, fetched)
            file_id = self.call(key, "upload", send)
            if file_id is not None:
                metrics.ATTACHMENTS.labels(TARGET, "bytes").inc()
                return file_id
        metrics.ATTACHMENTS.labels(TARGET, "reference").inc()
        return self.call(key, "upload", partial(self._client.upload, attachment))

    def _create(self, entry: LedgerEntry, case: CaseResolved, ctx: Any) -> Created:
        key = entry.key
        created = self._created.get(key)
        if created is None and may_duplicate(entry):
            created = self._look_up(entry, ctx)
        if created is None:
            body = to_lapor_complaint(case, key.complaint_id, self._mapping)

            def send() -> Created:
                # Marked inside the breaker's guard: a refused call leaves no in-flight mark.
                self.ledger.mark_in_flight(key, now=self.now())
                return self._client.create_complaint(body)

            created = self.call(key, "create", send)
            self._remember(key, created)
        self.ledger.record_created(
            key, remote_id=created.remote_id, tracking_id=created.tracking_id, now=self.now()
        )
        return created

    def _look_up(self, entry: LedgerEntry, ctx: Any) -> Created | None:
        """An earlier create's outcome is unknown: ask LAPOR! before creating it again."""
        external = entry.external_id or self.external_id(entry.key)
        found = self.call(entry.key, "look_up", lambda: self._client.find_by_external_id(external))
        outcome = "found" if found else "absent"
        metrics.LOOK_UPS.labels(TARGET, outcome).inc()
        log.warning("create outcome was unknown; LAPOR! has it %s", outcome, extra=ctx)
        return found

    def _remember(self, key: LedgerKey, created: Created) -> None:
        self._created[key] = created
        while len(self._created) > _REMEMBERED:
            self._created.popitem(last=False)
