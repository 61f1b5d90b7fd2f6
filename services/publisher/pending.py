"""The age of the oldest unfinished publication per target, for the `oldest pending` gauge.

Kept in memory, per process: a key is pending from the batch's claim until its publication
ends (sent, or refused for good). A batch held by an outage keeps its keys pending, so the
gauge grows through the outage and the alert sees it; a restart starts it afresh (the
replayed batch is claimed again at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from services.publisher.ledger import LedgerKey


class PendingAges:
    """When each unfinished publication started, per target."""

    def __init__(
        self, targets: Iterable[str], monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._since: dict[str, dict[LedgerKey, float]] = {t: {} for t in targets}
        self._now = monotonic
        self._lock = threading.Lock()

    def started(self, target: str, keys: Iterable[LedgerKey]) -> None:
        """Note keys as pending unless they already are (a retry keeps the first time)."""
        now = self._now()
        with self._lock:
            for key in keys:
                self._since[target].setdefault(key, now)

    def finished(self, target: str, key: LedgerKey) -> None:
        """Forget a key whose publication ended."""
        with self._lock:
            self._since[target].pop(key, None)

    def oldest_s(self, target: str) -> float:
        """Return the age of the target's oldest pending publication (0 when none)."""
        with self._lock:
            since = self._since[target].values()
            return self._now() - min(since) if since else 0.0
