"""Linking new complaints to open ones that look like the same problem, from any channel.

The relay marks each batch it is about to send (`mark_outbox`): one look-up for the whole batch
(`find_all`: the postings of every key the batch's complaints have, in one find, then the
sketches of the candidates, in one), each complaint scored against the earlier complaints found,
those earlier in the same batch included; then the batch is filed (`file_all`, one insert), so
later batches find it. The look-up is bounded: a key filed for more than `hot_key` complaints
within the window is a stop word (a topic-and-street pair on a stormy day, a band of a text
everyone sends): its postings are not scored, and the key is left out of look-ups for
`hot_for_s`. Linking is best-effort: a store error is logged and counted, and the complaint is
sent unmarked rather than held (except while Mongo is unreachable: see `mark_outbox`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any, Protocol

from pymongo import MongoClient
from pymongo.errors import ConnectionFailure, PyMongoError

from services.intake import metrics
from services.intake.config import Settings
from services.intake.fingerprints import Filed, FingerprintStore
from services.intake.repository import Outbox, StoredComplaint
from services.intake.similarity import Sketch, Thresholds, blocking_keys, compare, contact_hash
from services.intake.similarity import names as place_names
from services.intake.similarity import topics as problem_topics
from services.intake.similarity import words as content_words
from shared.events import ComplaintReceived, DuplicateLink, Envelope, decode, encode

log = logging.getLogger(__name__)


class Fingerprints(Protocol):
    """Where blocking keys and sketches live (fingerprints.FingerprintStore, or a test double)."""

    def postings(self, keys: Iterable[str], since: date) -> dict[str, list[str]]: ...

    def sketches(self, complaint_ids: Iterable[str]) -> list[Filed]: ...

    def file(self, batch: Iterable[tuple[Filed, list[str]]]) -> None: ...

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


def filed_of(complaint_id: str, complaint: ComplaintReceived) -> Filed:
    """Return a complaint as it is filed (and compared)."""
    return Filed(
        complaint_id,
        complaint.tracking_number,
        complaint.channel.value,
        sketch_of(complaint),
        complaint.received_at,
    )


@dataclass
class DuplicateLinker:
    """Marks possible duplicates within a bounded window, by key look-ups only."""

    store: Fingerprints
    window_days: int = 7
    limits: Thresholds = field(default_factory=Thresholds)
    max_links: int = 5
    max_candidates: int = 200  # sketches compared per complaint, most keys in common first
    hot_key: int = 50  # a key with more postings than this in the window says nothing
    hot_for_s: float = 3600.0  # how long a hot key is left out before it is read again
    clock: Callable[[], float] = time.monotonic
    # Sketches are insert-only, so the ones this process filed or read stay true: a batch's
    # candidates are mostly the complaints the batches before it filed, and are not read again.
    remembered: int = 20_000
    _hot: dict[str, float] = field(default_factory=dict)  # key -> when to read it again
    _sketches: dict[str, Filed] = field(default_factory=dict)  # oldest first
    _pruned: date | None = None

    def find(self, complaint: ComplaintReceived, complaint_id: str = "") -> list[DuplicateLink]:
        """Return the earlier complaints `complaint` may duplicate, best first."""
        return self.find_all([(complaint_id, complaint)])[0]

    def find_all(self, batch: Sequence[tuple[str, ComplaintReceived]]) -> list[list[DuplicateLink]]:
        """Return, for each (complaint id, complaint), the earlier complaints it may duplicate,
        best first: those filed within the window, and those before it in `batch`. Two finds
        for the whole batch, whatever its size."""
        if not batch:
            return []
        entries = [(filed, blocking_keys(filed.sketch)) for filed in _filed_all(batch)]
        since = min(filed.sketch.day for filed, _ in entries) - timedelta(days=self.window_days)
        asked = self._asked({k for _, keys in entries for k in keys})
        postings = {key: set(ids) for key, ids in self.store.postings(asked, since).items()}
        for filed, keys in entries:  # the batch's own complaints are candidates too (a re-sent
            for key in keys:  # one is in the store already: a set counts it once)
                postings.setdefault(key, set()).add(filed.complaint_id)
        postings = self._without_hot(postings)
        chosen = [self._chosen(keys, postings, filed) for filed, keys in entries]
        known = self._sketches | {filed.complaint_id: filed for filed, _ in entries}
        missing = {cid for ids in chosen for cid in ids} - known.keys()
        fetched = self.store.sketches(missing) if missing else []
        self._remember(fetched)
        known |= {filed.complaint_id: filed for filed in fetched}
        return [
            self._links(filed, [known[cid] for cid in ids if cid in known])
            for (filed, _), ids in zip(entries, chosen, strict=True)
        ]

    def file_all(self, batch: Sequence[tuple[str, ComplaintReceived]]) -> None:
        """File complaints' keys and sketches (one insert), so later complaints can find them."""
        entries = _filed_all(batch)
        if not entries:
            return
        hot = self._hot.keys()  # not read while hot, so not written either (most of the writes)
        self.store.file(
            (filed, [key for key in blocking_keys(filed.sketch) if key not in hot])
            for filed in entries
        )
        self._remember(entries)
        self._prune_daily(max(filed.sketch.day for filed in entries))

    def mark_outbox(self, batch: list[StoredComplaint]) -> list[StoredComplaint]:
        """Return `batch` with each `ComplaintReceived` event carrying its possible duplicates
        (same event id, same contract), and file the batch. Called by the relay before sending.

        Mongo unreachable (ConnectionFailure): raised, so the relay's round fails and its
        complaints wait in the outbox (the round could not mark them published either). Any
        other store error: logged and counted, and the complaints go out unmarked: a mark is
        never worth holding a complaint back for.
        """
        received = [(n, event) for n, c in enumerate(batch) if (event := _received(c)) is not None]
        if not received:
            return batch
        pairs = [(batch[n].complaint_id, event.data) for n, event in received]
        marked = list(batch)
        try:
            found = self.find_all(pairs)
        except ConnectionFailure:
            raise
        except PyMongoError as exc:
            metrics.DUPLICATE_LINKING.labels("error").inc(len(pairs))
            log.warning("duplicate look-up failed", extra={"error": str(exc)[:300]})
        else:
            for (n, event), links in zip(received, found, strict=True):
                metrics.DUPLICATE_LINKING.labels("linked" if links else "none").inc()
                if links:
                    marked[n] = _with_links(batch[n], event, links)
        self._file_best_effort(pairs)
        return marked

    def _file_best_effort(self, pairs: list[tuple[str, ComplaintReceived]]) -> None:
        try:
            self.file_all(pairs)
        except ConnectionFailure:
            raise
        except PyMongoError as exc:
            metrics.DUPLICATE_LINKING.labels("file_error").inc(len(pairs))
            log.warning("cannot file fingerprints", extra={"error": str(exc)[:300]})

    def _remember(self, filed: Iterable[Filed]) -> None:
        """Keep sketches for later batches, at most `remembered` (the oldest go first)."""
        self._sketches.update((f.complaint_id, f) for f in filed)
        for complaint_id in list(self._sketches)[: max(0, len(self._sketches) - self.remembered)]:
            del self._sketches[complaint_id]

    def _asked(self, keys: set[str]) -> set[str]:
        """The keys worth reading: all but those found hot a little while ago."""
        now = self.clock()
        self._hot = {key: until for key, until in self._hot.items() if until > now}
        return keys - self._hot.keys()

    def _without_hot(self, postings: dict[str, set[str]]) -> dict[str, set[str]]:
        """Drop the keys filed too often (stop words), and remember them for `hot_for_s`."""
        hot = {key for key, ids in postings.items() if len(ids) > self.hot_key}
        until = self.clock() + self.hot_for_s
        self._hot |= dict.fromkeys(hot, until)
        return {key: ids for key, ids in postings.items() if key not in hot}

    def _chosen(self, keys: list[str], postings: dict[str, set[str]], new: Filed) -> list[str]:
        """Ids of the complaints sharing most keys with `new`; among equals the newest (ULIDs
        sort by time). At most `max_candidates`."""
        hits: Counter[str] = Counter()
        for key in keys:
            hits.update(postings.get(key, ()))
        hits.pop(new.complaint_id, None)
        ranked = sorted(hits, key=lambda cid: (hits[cid], cid), reverse=True)
        return ranked[: self.max_candidates]

    def _links(self, new: Filed, candidates: list[Filed]) -> list[DuplicateLink]:
        links = []
        for old in candidates:
            if old.tracking_number == new.tracking_number or not self._earlier(old, new):
                continue
            score, reasons = compare(new.sketch, old.sketch, self.limits)
            if score > 0:
                links.append(_link(old, score, reasons))
        links.sort(key=lambda link: (link.score, link.complaint_id), reverse=True)
        return links[: self.max_links]

    def _earlier(self, old: Filed, new: Filed) -> bool:
        """Within the window before `new` (a re-sent complaint must not list later ones)."""
        if not 0 <= (new.sketch.day - old.sketch.day).days <= self.window_days:
            return False
        if old.received_at is None or new.received_at is None:
            return True  # filed before the time was kept: it is older than this code
        return (old.received_at, old.complaint_id) < (new.received_at, new.complaint_id)

    def _prune_daily(self, today: date) -> None:
        # Once per day and process: an equality delete per expired day bucket (indexed).
        if self._pruned != today:
            self._pruned = today
            self.store.prune(today, self.window_days)


def _filed_all(batch: Sequence[tuple[str, ComplaintReceived]]) -> list[Filed]:
    return [filed_of(complaint_id, complaint) for complaint_id, complaint in batch]


def _received(complaint: StoredComplaint) -> Envelope[ComplaintReceived] | None:
    """The stored event, if it is a new complaint's (a reply's reopen is not linked); an
    undecodable one is left to the relay, which logs and counts it."""
    try:
        event = decode(complaint.outbox.event.encode())
    except ValueError:
        return None
    return event if isinstance(event.data, ComplaintReceived) else None  # type: ignore[return-value]


def _with_links(
    complaint: StoredComplaint, event: Envelope[ComplaintReceived], links: list[DuplicateLink]
) -> StoredComplaint:
    data = event.data.model_copy(update={"possible_duplicates": links})
    marked = encode(event.model_copy(update={"data": data})).decode()
    outbox: Outbox = complaint.outbox.model_copy(update={"event": marked})
    return complaint.model_copy(update={"outbox": outbox})


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
    """Build the relay's linker over the fingerprints collection, its index ensured; None when
    linking is switched off (`INTAKE_DUPLICATE_LINKING=false`)."""
    if not settings.duplicate_linking:
        return None
    store = FingerprintStore(client[settings.mongodb_database][settings.fingerprints])
    store.ensure_indexes()
    return DuplicateLinker(
        store,
        window_days=settings.duplicate_window_days,
        max_candidates=settings.duplicate_candidates,
        hot_key=settings.duplicate_hot_key,
    )
