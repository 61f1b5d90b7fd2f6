"""An in-memory FingerprintStore with the same semantics, counting its look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from services.intake.fingerprints import Filed


class MemoryFingerprints:
    """Keys -> complaint ids and id -> Filed, in dicts."""

    def __init__(self) -> None:
        self.keys: dict[str, list[str]] = {}
        self.filed: dict[str, Filed] = {}
        self.lookups = 0
        self.asked: list[set[str]] = []  # the keys of each postings look-up
        self.read: list[set[str]] = []  # the ids of each sketches look-up

    def postings(self, keys: Iterable[str], since: date) -> dict[str, list[str]]:
        self.lookups += 1
        self.asked.append(set(keys))
        found = {}
        for key in self.asked[-1]:
            live = [
                cid
                for cid in self.keys.get(key, [])
                if cid in self.filed and self.filed[cid].sketch.day >= since
            ]
            if live:
                found[key] = live
        return found

    def sketches(self, complaint_ids: Iterable[str]) -> list[Filed]:
        self.read.append(set(complaint_ids))
        return [self.filed[cid] for cid in sorted(self.read[-1]) if cid in self.filed]

    def file(self, batch: Iterable[tuple[Filed, list[str]]]) -> None:
        for filed, keys in batch:
            self.filed[filed.complaint_id] = filed
            for key in keys:
                members = self.keys.setdefault(key, [])
                if filed.complaint_id not in members:
                    members.append(filed.complaint_id)

    def prune(self, today: date, keep_days: int) -> int:
        oldest = today - timedelta(days=keep_days)
        gone = [cid for cid, f in self.filed.items() if f.sketch.day < oldest]
        for cid in gone:
            del self.filed[cid]
        return len(gone)
