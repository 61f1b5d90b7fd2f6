"""Group commit: concurrent submissions share one `insert_many`, so the store's round trip is
paid once per group instead of once per complaint.

Each caller hands its document over and blocks until the group holding it is stored, so "an
answer with a tracking number means stored" still holds: the caller answers only after its own
document is in MongoDB, and learns of a duplicate or an outage exactly as with `insert_one`.
A group closes when it has `max_batch` documents or `max_wait_s` has passed since its first, so
a lone submission waits at most that long; under load the groups fill at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo.errors import BulkWriteError, PyMongoError

from shared.mongo import DUPLICATE_KEY

Document = dict[str, Any]


class DuplicateKey(Exception):
    """A unique index refused the document."""


@dataclass
class _Pending:
    doc: Document
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


class GroupInserter:
    """Inserts documents in groups from one background thread; `insert` blocks its caller."""

    def __init__(
        self,
        insert_many: Callable[[list[Document]], Any],
        *,
        max_batch: int = 200,
        max_wait_s: float = 0.002,
        timeout_s: float = 30.0,
    ) -> None:
        self._insert_many = (
            insert_many  # e.g. lambda docs: collection.insert_many(docs, ordered=False)
        )
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._timeout_s = timeout_s
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def insert(self, doc: Document) -> None:
        """Store `doc` with the next group; raise DuplicateKey or the store's error."""
        pending = _Pending(doc)
        self._queue.put(pending)
        if not pending.done.wait(self._timeout_s):
            raise TimeoutError("the group commit did not finish in time")
        if pending.error is not None:
            raise pending.error

    def stop(self) -> None:
        """Store what was handed over, then end the thread."""
        self._queue.put(None)
        self._thread.join(self._timeout_s)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            group, stopping = self._gather(first)
            self._store(group)
            if stopping:
                return

    def _gather(self, first: _Pending) -> tuple[list[_Pending], bool]:
        group = [first]
        while len(group) < self._max_batch:
            try:
                more = self._queue.get(timeout=self._max_wait_s)
            except queue.Empty:
                break
            if more is None:
                return group, True
            group.append(more)
        return group, False

    def _store(self, group: list[_Pending]) -> None:
        try:
            self._insert_many([p.doc for p in group])
        except BulkWriteError as exc:  # some were refused; the others are stored
            for error in exc.details.get("writeErrors", []):
                group[error["index"]].error = _refusal(error)
        except PyMongoError as exc:  # nothing is known stored: each caller answers 503
            for pending in group:
                pending.error = exc
        for pending in group:
            pending.done.set()


def _refusal(error: dict[str, Any]) -> Exception:
    if error.get("code") == DUPLICATE_KEY:
        return DuplicateKey(str(error.get("errmsg", "duplicate key")))
    return PyMongoError(str(error.get("errmsg", error)))
