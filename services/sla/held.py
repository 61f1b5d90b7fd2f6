"""Which cases of the owned partitions hold an event, and until when: kept in memory per
partition, so the held-event sweep reads those cases by `_id` instead of scanning the store.

Why in memory: FerretDB plans `{"held_until": {"$lte": now}}` as a full scan (about 40 s at
100,000 cases), longer than the sweep's interval. Filled when a partition is assigned by the
same reads that fill the timer heap (`loading.py`), and kept current by every write. Not thread-safe: the assignment, the batches and the ticks all run in the loop's thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


class HeldCases:
    """complaint id -> held_until, per owned partition."""

    def __init__(self) -> None:
        self._held: dict[int, dict[str, datetime]] = {}

    def own(self, partition: int) -> None:
        """Own `partition`: from now on its writes are kept, and its loading `set`s the held
        cases it reads."""
        self._held.setdefault(partition, {})

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget partitions moved to another worker (their new owner sweeps them)."""
        for partition in partitions:
            self._held.pop(partition, None)

    def set(self, complaint_id: str, partition: int | None, held_until: datetime | None) -> None:
        """Record what a write stored; a partition not loaded yet is read on its loading."""
        cases = self._held.get(partition) if partition is not None else None
        if cases is None:
            return
        if held_until is None:
            cases.pop(complaint_id, None)
        else:
            cases[complaint_id] = held_until

    def expired(self, now: datetime) -> list[str]:
        """The cases holding an event past its time."""
        return [cid for cases in self._held.values() for cid, at in cases.items() if at <= now]

    def __len__(self) -> int:
        return sum(len(cases) for cases in self._held.values())
