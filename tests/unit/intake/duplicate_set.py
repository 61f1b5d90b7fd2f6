"""The labelled duplicate set (tests/data/intake/duplicates.jsonl), replayed through a linker.

Complaints are replayed in time order, in batches as the relay sends them: each batch is looked
up (`find_all`) and then filed (`file_all`), as `DuplicateLinker.mark_outbox` does; a batch of
one is a look-up per complaint. A true pair is two complaints of one cluster at most the window apart; precision and
recall are counted over pairs (new complaint -> earlier complaint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from services.intake.adapters.common import title_from
from services.intake.contact import normalise_email, normalise_line
from services.intake.linker import DuplicateLinker
from services.intake.repository import Outbox, StoredComplaint
from shared.events import Channel, ComplaintReceived, encode, new_event

SET = Path(__file__).parents[2] / "data" / "intake" / "duplicates.jsonl"


@dataclass(frozen=True)
class Score:
    """Pair counts and the measures made of them."""

    true_pairs: frozenset[tuple[str, str]]
    found: frozenset[tuple[str, str]]

    @property
    def precision(self) -> float:
        """Share of the links made that are real duplicates."""
        return len(self.found & self.true_pairs) / len(self.found) if self.found else 1.0

    @property
    def recall(self) -> float:
        """Share of the real duplicate pairs that were linked."""
        return len(self.found & self.true_pairs) / len(self.true_pairs)


def load() -> list[dict[str, Any]]:
    """Return the labelled complaints in time order."""
    rows = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    return sorted(rows, key=lambda row: datetime.fromisoformat(row["at"]))


def payload(row: dict[str, Any]) -> ComplaintReceived:
    """Return the ComplaintReceived an adapter would make of a labelled row."""
    reporter = {}
    if row.get("phone"):
        reporter["phone"] = normalise_line(row["phone"])
    if row.get("email"):
        reporter["email"] = normalise_email(row["email"])
    return ComplaintReceived.model_validate(
        {
            "tracking_number": f"ADU-{row['id']}",
            "channel": Channel(row["channel"]),
            "channel_ref": row["id"],
            "received_at": row["at"],
            "title": row.get("title") or title_from(row["text"]),
            "body": row["text"],
            "location": {"region_code": row["region"]},
            "reporter": reporter or None,
            "entry": {"connector_id": f"{row['channel']}-test"},
        }
    )


def stored(row: dict[str, Any], complaint: ComplaintReceived) -> StoredComplaint:
    """Return the stored form, its outbox event unmarked (as accept stores it)."""
    event = new_event(complaint, complaint_id=row["id"], source="/test", time=complaint.received_at)
    return StoredComplaint(
        complaint_id=row["id"],
        tracking_number=complaint.tracking_number,
        channel=complaint.channel.value,
        channel_ref=complaint.channel_ref,
        connector_id=complaint.entry.connector_id,
        correlation_id=row["id"],
        received_at=complaint.received_at,
        complaint=complaint.model_dump(mode="json"),
        outbox=Outbox(event=encode(event).decode()),
    )


def replay(linker: DuplicateLinker, batch_size: int = 1) -> Score:
    """Feed the set through `linker`, `batch_size` complaints at a time; return what it linked
    against the truth."""
    rows = load()
    found: set[tuple[str, str]] = set()
    for start in range(0, len(rows), batch_size):
        batch = [(row["id"], payload(row)) for row in rows[start : start + batch_size]]
        for (cid, _), links in zip(batch, linker.find_all(batch), strict=True):
            found |= {(cid, link.complaint_id) for link in links}
        linker.file_all(batch)
    return Score(frozenset(_true_pairs(rows, linker.window_days)), frozenset(found))


def _true_pairs(rows: list[dict[str, Any]], window_days: int) -> set[tuple[str, str]]:
    pairs = set()
    for i, new in enumerate(rows):
        for old in rows[:i]:
            gap = datetime.fromisoformat(new["at"]) - datetime.fromisoformat(old["at"])
            if new["cluster"] == old["cluster"] and gap.days <= window_days:
                pairs.add((new["id"], old["id"]))
    return pairs
