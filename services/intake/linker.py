"""Linking a new complaint to open ones that look like the same problem, from any channel.

`mark` looks the complaint's blocking keys up for today and the previous `window_days` day
buckets, scores the complaints found, and returns the payload with `possible_duplicates`;
`remember` files the complaint once it is stored. Both are best-effort: a store error is
logged and counted, and the complaint is accepted unmarked rather than refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any, Protocol

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from services.intake import metrics
from services.intake.config import Settings
from services.intake.fingerprints import Filed, FingerprintStore
from services.intake.repository import StoredComplaint
from services.intake.similarity import Sketch, Thresholds, blocking_keys, compare, contact_hash
from services.intake.similarity import names as place_names
from services.intake.similarity import topics as problem_topics
from services.intake.similarity import words as content_words
from shared.events import ComplaintReceived, DuplicateLink

log = logging.getLogger(__name__)


class Fingerprints(Protocol):
    """Where blocking keys and sketches live (fingerprints.FingerprintStore, or a test double)."""

    def candidates(self, keys: list[str], since: date) -> list[Filed]: ...

    def file(self, filed: Filed, keys: list[str]) -> None: ...

    def prune(self, today: date, keep_days: int) -> int: ...


def sketch_of(complaint: ComplaintReceived) -> Sketch:
    """Return what is compared of a complaint: its words, topics, region, contacts and day."""
    title = complaint.title.rstrip("…")
    # A title made from the body's first line (title_from) would count its words twice.
    heading = None if complaint.body.startswith(title) else complaint.title
    text = ". ".join(filter(None, [heading, complaint.body, complaint.location.text]))
    content = content_words(text)
    reporter = complaint.reporter
    contacts = [reporter.phone, (reporter.email or "").lower()] if reporter else []
    return Sketch(
        words=content,
        topics=problem_topics(content),
        names=place_names(text, content),
        region=complaint.location.region_code or "",
        contacts=frozenset(contact_hash(c) for c in contacts if c),
        day=complaint.received_at.astimezone(UTC).date(),
    )


@dataclass
class DuplicateLinker:
    """Marks possible duplicates within a bounded window, by key look-ups only."""

    store: Fingerprints
    window_days: int = 7
    limits: Thresholds = field(default_factory=Thresholds)
    max_links: int = 5
    _pruned: date | None = None

    def find(self, complaint: ComplaintReceived) -> list[DuplicateLink]:
        """Return the earlier complaints `complaint` may duplicate, best first."""
        sketch = sketch_of(complaint)
        links = []
        since = sketch.day - timedelta(days=self.window_days)
        for filed in self.store.candidates(blocking_keys(sketch), since):
            if filed.tracking_number == complaint.tracking_number or not self._recent(
                filed, sketch
            ):
                continue
            score, reasons = compare(sketch, filed.sketch, self.limits)
            if score > 0:
                links.append(_link(filed, score, reasons))
        links.sort(key=lambda link: (link.score, link.complaint_id), reverse=True)
        return links[: self.max_links]

    def mark(self, complaint: ComplaintReceived) -> ComplaintReceived:
        """Return the complaint with its possible duplicates; unmarked if the store fails."""
        try:
            links = self.find(complaint)
        except PyMongoError as exc:
            metrics.DUPLICATE_LINKING.labels("error").inc()
            log.warning("duplicate look-up failed", extra={"error": str(exc)[:300]})
            return complaint
        metrics.DUPLICATE_LINKING.labels("linked" if links else "none").inc()
        return complaint.model_copy(update={"possible_duplicates": links}) if links else complaint

    def remember(self, stored: StoredComplaint) -> None:
        """File a stored complaint's keys, so later complaints can find it."""
        complaint = ComplaintReceived.model_validate(stored.complaint)
        sketch = sketch_of(complaint)
        filed = Filed(stored.complaint_id, stored.tracking_number, stored.channel, sketch)
        try:
            self.store.file(filed, blocking_keys(sketch))
            self._prune_daily(sketch.day)
        except PyMongoError as exc:
            metrics.DUPLICATE_LINKING.labels("file_error").inc()
            log.warning(
                "cannot file fingerprints",
                extra={"complaint_id": stored.complaint_id, "error": str(exc)[:300]},
            )

    def _recent(self, filed: Filed, sketch: Sketch) -> bool:
        return 0 <= (sketch.day - filed.sketch.day).days <= self.window_days

    def _prune_daily(self, today: date) -> None:
        # Once per day and process: an equality delete per expired day bucket (indexed).
        if self._pruned != today:
            self._pruned = today
            self.store.prune(today, self.window_days)


def _link(filed: Filed, score: float, reasons: list[str]) -> DuplicateLink:
    return DuplicateLink(
        complaint_id=filed.complaint_id,
        tracking_number=filed.tracking_number,
        score=score,
        reasons=reasons,
        channel=filed.channel,
    )


def duplicate_linker(
    client: MongoClient[dict[str, Any]], settings: Settings
) -> DuplicateLinker | None:
    """Build the app's linker over the fingerprints collection, its index ensured; None when
    linking is switched off (`INTAKE_DUPLICATE_LINKING=false`)."""
    if not settings.duplicate_linking:
        return None
    store = FingerprintStore(
        client[settings.mongodb_database][settings.fingerprints], settings.duplicate_candidates
    )
    store.ensure_indexes()
    return DuplicateLinker(store, window_days=settings.duplicate_window_days)
