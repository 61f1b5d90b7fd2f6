"""The gateway's MongoDB collections (pymongo only).

Who writes what, so no two writers meet on one document (FerretDB's updates are not atomic):
- `opd_cases`: the consumer alone (one replica; see the README), one document per case;
- `opd_deliveries`: the consumer inserts (insert-only, duplicates ignored on replays), then only
  the one delivery thread of that OPD updates it;
- `opd_early_events`: the consumer alone, insert and delete, one document per event;
- `opd_inbox_actions`: the inbox inserts one document per accepted action, `_id` =
  `<complaint>:<n>`, so two actions racing for the same case collide on the key and one is
  refused instead of both being accepted against the same status.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pymongo import ReplaceOne
from pymongo.collection import Collection

from services.opd_gateway.case import OpdCase, Read
from services.opd_gateway.delivery import Delivery, DeliveryState, order_key
from shared.lifecycle import Kind, Status
from shared.mongo import Index, ensure_indexes, insert_new

Doc = dict[str, Any]


class CaseRepository:
    """The cases the gateway consumed from its OPDs' topics."""

    def __init__(self, collection: Collection[Doc]) -> None:
        self._cases = collection

    def ensure_indexes(self) -> None:
        """Create the index the inbox lists an OPD's cases by (equality: an index lookup)."""
        ensure_indexes(self._cases, [Index(("opd_code",))])

    def get_many(self, complaint_ids: Iterable[str]) -> dict[str, OpdCase]:
        """Return the known cases among `complaint_ids`, in one query."""
        docs = self._cases.find({"_id": {"$in": list(set(complaint_ids))}})
        return {doc["_id"]: _case(doc) for doc in docs}

    def get(self, complaint_id: str) -> OpdCase | None:
        """Return one case, or None."""
        doc = self._cases.find_one({"_id": complaint_id})
        return None if doc is None else _case(doc)

    def of_opd(self, opd_code: str, *, status: str | None, limit: int) -> list[OpdCase]:
        """Return an OPD's cases, newest dispatch first (sorted here: a sort would scan)."""
        query: Doc = {"opd_code": opd_code}
        cases = [_case(doc) for doc in self._cases.find(query)]
        if status is not None:
            cases = [c for c in cases if c.status == status]
        return sorted(cases, key=lambda c: c.dispatched_at, reverse=True)[:limit]

    def store(self, cases: Sequence[OpdCase]) -> None:
        """Write the batch's cases in one bulk write."""
        if cases:
            ops = [ReplaceOne({"_id": c.complaint_id}, _doc(c), upsert=True) for c in cases]
            self._cases.bulk_write(ops, ordered=False)


class DeliveryRepository:
    """The webhook delivery log: one document per (OPD, event)."""

    def __init__(self, collection: Collection[Doc]) -> None:
        self._deliveries = collection

    def ensure_indexes(self) -> None:
        """Create the indexes the workers and the log read by (equality on their keys)."""
        ensure_indexes(self._deliveries, [Index(("opd_code", "state")), Index(("opd_code",))])

    def add(self, deliveries: Sequence[Delivery]) -> None:
        """Insert new deliveries; one stored before (a replayed batch) is left as it is."""
        if not deliveries:
            return
        insert_new(self._deliveries, ({"_id": d.key, **d.model_dump()} for d in deliveries))

    def pending(self, opd_code: str) -> list[Delivery]:
        """Return an OPD's deliveries still to go out (unordered)."""
        query = {"opd_code": opd_code, "state": DeliveryState.PENDING.value}
        return [_delivery(doc) for doc in self._deliveries.find(query)]

    def save(self, delivery: Delivery) -> None:
        """Store the outcome of an attempt (only the OPD's delivery thread writes it)."""
        self._deliveries.replace_one({"_id": delivery.key}, delivery.model_dump())

    def log(self, opd_code: str, *, state: str | None, limit: int) -> list[Delivery]:
        """Return an OPD's delivery log, newest first."""
        query: Doc = {"opd_code": opd_code}
        if state is not None:
            query["state"] = state
        found = [_delivery(doc) for doc in self._deliveries.find(query)]
        return sorted(found, key=lambda d: d.order, reverse=True)[:limit]

    def requeue(self, opd_code: str, event_ids: Iterable[str] | None) -> int:
        """Put failed deliveries back in the queue (all of the OPD's, or these events')."""
        query: Doc = {"opd_code": opd_code, "state": DeliveryState.FAILED.value}
        chosen = set(event_ids) if event_ids is not None else None
        count = 0
        for doc in self._deliveries.find(query):
            if chosen is None or doc["event_id"] in chosen:
                update = {"state": DeliveryState.PENDING.value, "last_error": None}
                self._deliveries.update_one({"_id": doc["_id"]}, {"$set": update})
                count += 1
        return count


class EarlyEventRepository:
    """Events read before their case's dispatch, insert-only, until the dispatch comes."""

    def __init__(self, collection: Collection[Doc], decode: Callable[[bytes], Any]) -> None:
        self._early = collection
        self._decode = decode

    def ensure_indexes(self) -> None:
        """Create the index a new case's early events are read by."""
        ensure_indexes(self._early, [Index(("complaint_id",))])

    def add(self, events: Sequence[tuple[str, str, str]]) -> None:
        """Keep (complaint id, event id, body) triples; one kept before is left as it is."""
        if not events:
            return
        now = time.time_ns()
        docs = [
            {"_id": event_id, "complaint_id": cid, "body": body, "order": order_key(now, n)}
            for n, (cid, event_id, body) in enumerate(events)
        ]
        insert_new(self._early, docs)

    def of_cases(self, complaint_ids: Iterable[str]) -> dict[str, list[Read]]:
        """Return the kept events of these cases, each case's in the order they were read."""
        ids = list(complaint_ids)
        if not ids:
            return {}
        found: dict[str, list[Read]] = {}
        docs = sorted(self._early.find({"complaint_id": {"$in": ids}}), key=lambda d: d["order"])
        for doc in docs:
            read = self._read(doc["body"])
            found.setdefault(doc["complaint_id"], []).append(read)
        return found

    def remove(self, event_ids: Sequence[str]) -> None:
        """Forget events applied to their case."""
        if event_ids:
            self._early.delete_many({"_id": {"$in": list(event_ids)}})

    def _read(self, body: str) -> Read:
        return Read(self._decode(body.encode()), body)


class ActionRepository:
    """The inbox's accepted actions, insert-only: the reservation of each case's next step."""

    def __init__(self, collection: Collection[Doc]) -> None:
        self._actions = collection

    def ensure_indexes(self) -> None:
        """Create the index the actions of a case are read by."""
        ensure_indexes(self._actions, [Index(("complaint_id",))])

    def of_case(self, complaint_id: str) -> list[Doc]:
        """Return a case's accepted actions, in the order they were accepted."""
        docs = list(self._actions.find({"complaint_id": complaint_id}))
        return sorted(docs, key=lambda d: d["n"])

    def reserve(
        self, complaint_id: str, n: int, *, event_id: str, kind: Kind, opd: str, status: Status
    ) -> None:
        """Insert action number `n` of the case; DuplicateKeyError when another took it."""
        self._actions.insert_one(
            {"_id": f"{complaint_id}:{n}", "complaint_id": complaint_id, "n": n,
             "event_id": event_id, "kind": kind.value, "opd_code": opd, "status": status.value}
        )  # fmt: skip

    def release(self, complaint_id: str, n: int) -> None:
        """Withdraw a reservation whose event Kafka did not take (the request failed)."""
        self._actions.delete_one({"_id": f"{complaint_id}:{n}"})


def _doc(case: OpdCase) -> Doc:
    return {"_id": case.complaint_id, **case.model_dump(mode="python")}


def _case(doc: Doc) -> OpdCase:
    return OpdCase.model_validate({k: v for k, v in doc.items() if k != "_id"})


def _delivery(doc: Doc) -> Delivery:
    return Delivery.model_validate({k: v for k, v in doc.items() if k != "_id"})
