"""An in-memory FingerprintStore with the same key semantics, counting its look-ups."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from services.intake.fingerprints import Filed


class MemoryFingerprints:
    """Keys -> complaint ids and id -> Filed, in dicts."""

    def __init__(self, max_candidates: int = 200) -> None:
        self.keys: dict[str, list[str]] = {}
        self.filed: dict[str, Filed] = {}
        self.lookups = 0
        self.max_candidates = max_candidates

    def candidates(self, keys: list[str], since: date) -> list[Filed]:
        self.lookups += 1
        hits: Counter[str] = Counter()
        for key in keys:
            hits.update(self.keys.get(key, []))
        chosen = sorted(hits, key=lambda cid: (hits[cid], cid), reverse=True)
        live = [cid for cid in chosen if cid in self.filed and self.filed[cid].sketch.day >= since]
        return [self.filed[cid] for cid in live[: self.max_candidates]]

    def file(self, filed: Filed, keys: list[str]) -> None:
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
