"""The ledger collection (pymongo only), kept as a journal: every change is an inserted step.

Why a journal: FerretDB scans the whole collection for every update, even by `_id` (DESIGN §4),
so one update per case and call cannot keep 200 cases/s; an insert costs well under a
millisecond. Each step carries the key's sequence number under a unique index, which makes it
a fencing token: two publishers racing on one key cannot both write step n, and a publisher
whose lease another has taken over fails on its next write instead of writing on.
An entry is the fold of its steps (ledger.fold); a batch reads its entries with one query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.publisher.ledger import (
    LedgerEntry,
    LedgerKey,
    LedgerState,
    apply_step,
    fold,
    key_string,
)
from shared.mongo import DUPLICATE_KEY, Index, ensure_indexes
from shared.retry import TransientError

INDEXES = (
    Index(("key", "seq"), unique=True, name="ledger_step_unique"),
    Index(("target",)),
)


class ClaimHeld(TransientError):
    """Another publisher holds a live claim on the entry: wait for it to finish or lapse."""

    dependency = "ledger"


class LedgerRepository:
    """Claims and state changes of ledger entries, as journal steps."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self._c = collection
        self._seq: dict[str, int] = {}  # the last step number this process knows per key
        self._lock = threading.Lock()
        self._buffer: list[dict[str, Any]] | None = None  # a batch's steps, see buffered()

    def buffered(self) -> None:
        """Hold the steps written from now on until `flush`: one insert per batch instead of
        several per case. Safe because claims (written at once) arm every create: a crash
        before the flush makes the next claim look the create up instead of repeating it."""
        with self._lock:
            self._buffer = []

    def flush(self) -> None:
        """Insert the held steps and stop holding."""
        with self._lock:
            steps, self._buffer = self._buffer or [], None
        self._insert(steps)

    def ensure_indexes(self) -> None:
        """Create the unique (key, seq) index: the fencing guard. The one-document-per-entry
        ledger's unique index goes: every step would share its (absent) fields and collide."""
        ensure_indexes(self._c, INDEXES, superseded=["publication_unique"])

    def claim(
        self, key: LedgerKey, *, external_id: str, owner: str, lease: timedelta, now: datetime
    ) -> LedgerEntry:
        """Claim one entry; see claim_many."""
        return self.claim_many(
            [key], external_id=lambda _: external_id, owner=owner, lease=lease, now=now
        )[key]

    def claim_many(
        self,
        keys: Sequence[LedgerKey],
        *,
        external_id: Any,
        owner: str,
        lease: timedelta,
        now: datetime,
    ) -> dict[LedgerKey, LedgerEntry]:
        """Claim every unsent key whose lease is ours or has lapsed, in one read and one insert;
        `sent` entries come back untouched (the caller skips them). Raises ClaimHeld when
        another owner's lease runs on any key (the batch waits)."""
        unique = list(dict.fromkeys(keys))
        current = self.entries(unique)
        steps: list[dict[str, Any]] = []
        for key in unique:
            entry = current.get(key)
            if entry is not None and entry.state is LedgerState.SENT:
                continue
            if entry is not None and entry.held_by_other(owner, now):
                raise ClaimHeld(f"{entry.owner} holds {key_string(key)} until {entry.lease_until}")
            armed = entry is None or entry.remote_id is None
            claim = _step(
                key, self._next(key), "claim", now, owner=owner, lease_until=now + lease,
                external_id=external_id(key), armed=armed,
            )  # fmt: skip
            steps.append(claim)
        self._insert(steps)
        for claim in steps:
            key = wanted_key(claim)
            current[key] = apply_step(current.get(key), claim)
        return current

    def entries(self, keys: Iterable[LedgerKey]) -> dict[LedgerKey, LedgerEntry]:
        """Return the entries of `keys` that exist, folded from one query."""
        wanted = {key_string(k): k for k in keys}
        docs = self._c.find({"key": {"$in": list(wanted)}}, {"_id": 0})
        found = self._folded(docs)
        return {wanted[k]: entry for k, entry in found.items() if k in wanted}

    def all_entries(self, target: str) -> list[LedgerEntry]:
        """Return every entry of a target (reconciliation and reports; one scan)."""
        return list(self._folded(self._c.find({"target": target}, {"_id": 0})).values())

    def _folded(self, docs: Iterable[dict[str, Any]]) -> dict[str, LedgerEntry]:
        """Fold steps into entries, and learn each key's last step number."""
        found = {k: fold(steps) for k, steps in _grouped(docs)}
        with self._lock:
            for k, entry in found.items():
                self._seq[k] = max(self._seq.get(k, 0), entry.seq)
        return found

    def get(self, key: LedgerKey) -> LedgerEntry | None:
        """Return the entry of `key`, if any."""
        return self.entries([key]).get(key)

    def mark_in_flight(self, key: LedgerKey, *, now: datetime) -> None:
        """Note that a create request is about to go out (its outcome unknown until recorded)."""
        self._write(key, "in_flight", now)

    def record_created(
        self, key: LedgerKey, *, remote_id: str, tracking_id: str | None, now: datetime
    ) -> None:
        """Store the target's id the moment it is known, before any further call."""
        self._write(key, "created", now, remote_id=remote_id, tracking_id=tracking_id)

    def record_follow_up(self, key: LedgerKey, *, now: datetime, count: int | None = None) -> None:
        """Note that follow-ups reached the target (`count` of them; None: all)."""
        self._write(key, "follow_up", now, follow_ups_sent=count)

    def record_transient(self, key: LedgerKey, *, error: str, certain: bool, now: datetime) -> None:
        """Note a transient failure; `certain` means the target surely did not act on it."""
        self._write(key, "transient", now, error=error[:500], certain=certain)

    def reset(self, key: LedgerKey, *, now: datetime) -> None:
        """Forget what the target held (reconciliation found it lost): publish from scratch."""
        self._write(key, "reset", now)

    def mark_sent(self, key: LedgerKey, *, now: datetime) -> None:
        """Close the entry as sent."""
        self._write(key, "sent", now)

    def mark_failed(self, key: LedgerKey, *, reason: str, now: datetime) -> None:
        """Close the entry as refused for good, with the reason."""
        self._write(key, "failed", now, reason=reason[:1000])

    def _write(self, key: LedgerKey, step: str, now: datetime, **fields: Any) -> None:
        doc = _step(key, self._next(key), step, now, **fields)
        with self._lock:
            if self._buffer is not None:
                self._buffer.append(doc)
                return
        self._insert([doc])

    def _next(self, key: LedgerKey) -> int:
        with self._lock:
            k = key_string(key)
            self._seq[k] = self._seq.get(k, 0) + 1
            return self._seq[k]

    def _insert(self, steps: list[dict[str, Any]]) -> None:
        """Insert steps; a taken (key, seq) means another publisher wrote first: ClaimHeld."""
        if not steps:
            return
        try:
            self._c.insert_many(steps, ordered=False)
        except DuplicateKeyError as exc:
            self._forget(steps)
            raise ClaimHeld(f"another publisher wrote first: {exc}") from exc
        except BulkWriteError as exc:
            self._forget(steps)
            if all(e.get("code") == DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise ClaimHeld("another publisher wrote first") from exc
            raise

    def _forget(self, steps: list[dict[str, Any]]) -> None:
        """Drop what this process believed of these keys; the next read learns the truth."""
        with self._lock:
            for step in steps:
                self._seq.pop(step["key"], None)


def _step(key: LedgerKey, seq: int, step: str, now: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "key": key_string(key),
        **key.model_dump(),
        "seq": seq,
        "step": step,
        "at": now,
        **fields,
    }


def wanted_key(step: dict[str, Any]) -> LedgerKey:
    """Return the key a journal step belongs to."""
    return LedgerKey(
        complaint_id=step["complaint_id"], target=step["target"], case_version=step["case_version"]
    )


def _grouped(docs: Iterable[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    by_key: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_key.setdefault(doc["key"], []).append(doc)
    for k, steps in by_key.items():
        yield k, sorted(steps, key=lambda s: s["seq"])
