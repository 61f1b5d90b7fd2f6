"""The due instants of the cases in the partitions this worker owns: a min-heap in memory.

Why in memory: FerretDB plans `{"next_alert_at": {"$lte": now}}` as a full scan of the
collection (its `explain()` shows `SCAN` and `filterPushdown: false`, with an index on the
field), so a timer that queried the store every second would read every case every second.
Instead each worker keeps, for the partitions it owns, a heap of (next_alert_at, complaint_id),
filled from the store when a partition is assigned (a slice per tick, `loading.py`) and kept
current by every write. Not
thread-safe: the assignment callback, the batches and the ticks all run in the loop's thread.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime


class TimerHeap:
    """(due, complaint id) of owned partitions; stale heap entries are skipped lazily."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, str]] = []
        self._due: dict[str, tuple[datetime, int]] = {}  # complaint id -> (due, partition)
        self._owned: set[int] = set()

    @property
    def owned(self) -> frozenset[int]:
        """The partitions this worker owns."""
        return frozenset(self._owned)

    def assign(self, partitions: Iterable[int]) -> tuple[set[int], set[int]]:
        """Own exactly `partitions`; return (gained, lost). A gained partition's timers are
        `set` as its loading reads them (`loading.py`) and as writes store its cases."""
        wanted = set(partitions)
        gained, lost = wanted - self._owned, self._owned - wanted
        self._owned = wanted
        for complaint_id, (_, partition) in list(self._due.items()):
            if partition in lost:
                del self._due[complaint_id]
        return gained, lost

    def set(self, complaint_id: str, partition: int | None, due: datetime | None) -> None:
        """Record a case's next due instant (None: nothing pending)."""
        if due is None or partition is None or partition not in self._owned:
            self._due.pop(complaint_id, None)
            return
        if self._due.get(complaint_id) == (due, partition):
            return
        self._due[complaint_id] = (due, partition)
        heapq.heappush(self._heap, (due, complaint_id))
        if len(self._heap) > 2 * len(self._due) + 1024:
            self._compact()

    def pop_due(self, now: datetime, limit: int = 1000) -> list[str]:
        """Take out up to `limit` cases whose instant is at or before `now`, earliest first."""
        found: list[str] = []
        while self._heap and self._heap[0][0] <= now and len(found) < limit:
            due, complaint_id = heapq.heappop(self._heap)
            current = self._due.get(complaint_id)
            if current is not None and current[0] == due:
                del self._due[complaint_id]
                found.append(complaint_id)
        return found

    def next_due(self) -> datetime | None:
        """The earliest live instant (for tests and the lag gauge)."""
        while self._heap:
            due, complaint_id = self._heap[0]
            current = self._due.get(complaint_id)
            if current is not None and current[0] == due:
                return due
            heapq.heappop(self._heap)
        return None

    def __len__(self) -> int:
        return len(self._due)

    def _compact(self) -> None:
        self._heap = [(due, cid) for cid, (due, _) in self._due.items()]
        heapq.heapify(self._heap)
