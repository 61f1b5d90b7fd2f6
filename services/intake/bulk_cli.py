"""`python -m services.intake import FILE`: a backlog through the adapters and `accept()`,
with a progress line on stderr, a per-row report, a summary, and `--rollback BATCH`."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError
from pymongo.errors import PyMongoError
from ulid import ULID

from services.intake.accept import accept
from services.intake.adapters import ADAPTERS
from services.intake.bulk import REF_FIELDS, Row, detect_format, file_id, read_rows
from services.intake.config import Settings
from services.intake.connectors import with_region
from services.intake.imports import ImportLedger, UnknownBatch
from services.intake.repository import ComplaintRepository
from shared.errors import describe
from shared.mongo import database, mongo_client

EXIT_FAILED = 1
_CHUNK = 100  # complaints recorded in the batch ledger per write
REPORT_COLUMNS = ("row", "ref", "outcome", "tracking_number", "complaint_id", "reason")


def add_import_parser(commands: Any) -> None:
    """Add the `import` command to the CLI."""
    p = commands.add_parser("import", help="import a CSV or JSONL backlog")
    p.add_argument("file", nargs="?", help="the CSV or JSONL file")
    p.add_argument("--format", choices=("csv", "jsonl"), help="default: from the file name")
    p.add_argument("--channel", default="walkin", choices=sorted(REF_FIELDS))
    p.add_argument("--connector", default="bulk-import", help="connector id (idempotency key)")
    p.add_argument("--report", help="per-row report CSV (default: FILE.report.csv)")
    p.add_argument("--rollback", metavar="BATCH", help="withdraw the batch's unrouted complaints")


@dataclass
class Outcome:
    """One row's result, as the report writes it."""

    row: Row
    outcome: str
    tracking_number: str = ""
    complaint_id: str = ""
    reason: str = ""

    def cells(self) -> tuple[object, ...]:
        return (self.row.number, self.row.ref, self.outcome, self.tracking_number,
                self.complaint_id, self.reason)  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run an import or a rollback; return the exit code."""
    client = mongo_client(settings.mongodb_uri, app_name=f"{settings.service_name}-import")
    db = database(client, settings.mongodb_database)
    ledger = ImportLedger(db[settings.imports_collection], db[settings.collection])
    try:
        if args.rollback:
            return rollback(ledger, args.rollback, sys.stdout)
        if not args.file:
            sys.stderr.write("import: give a FILE, or --rollback BATCH\n")
            return 2
        repo = ComplaintRepository(db[settings.collection])
        repo.ensure_indexes()
        return import_file(args, settings, repo, ledger)
    finally:
        client.close()


def import_file(
    args: argparse.Namespace, settings: Settings, repo: ComplaintRepository, ledger: ImportLedger
) -> int:
    """Import every row of the file; write the report and the summary."""
    data = Path(args.file).read_bytes()
    fmt = detect_format(args.file, args.format)
    rows = list(read_rows(data, fmt, args.channel))
    batch = str(ULID())
    region = settings.all_connectors().get(args.connector)
    adapter = with_region(ADAPTERS[args.channel], region.region if region else None)
    ledger.open(batch, _meta(args, data))
    outcomes, pending, progress = [], [], Progress(len(rows), sys.stderr)
    try:
        for row in rows:
            outcomes.append(_import_row(repo, adapter, row, args.connector))
            if outcomes[-1].outcome == "accepted":
                pending.append(outcomes[-1].complaint_id)
            if len(pending) >= _CHUNK:
                ledger.record(batch, pending)
                pending = []
            progress.show(Counter(o.outcome for o in outcomes))
    except PyMongoError as exc:
        sys.stderr.write(f"\nthe store is unavailable ({describe(exc, 200)}); rerun the file\n")
        return _finish(args, ledger, batch, outcomes, pending=pending, code=EXIT_FAILED)
    return _finish(args, ledger, batch, outcomes, pending=pending, code=0)


def _import_row(repo: ComplaintRepository, adapter: Any, row: Row, connector: str) -> Outcome:
    if row.body is None:
        return Outcome(row, "rejected", reason=row.error or "unreadable")
    try:
        body = adapter.model.model_validate(row.body)
    except ValidationError as exc:
        return Outcome(row, "rejected", reason=describe(exc, 500))
    done = accept(repo, adapter, body, connector_id=connector)
    outcome = "duplicate" if done.duplicate else "accepted"
    return Outcome(row, outcome, done.tracking_number, done.complaint_id)


def _finish(
    args: argparse.Namespace,
    ledger: ImportLedger,
    batch: str,
    outcomes: list[Outcome],
    *,
    pending: list[str],
    code: int,
) -> int:
    counts = Counter(o.outcome for o in outcomes)
    try:
        ledger.record(batch, pending)
        ledger.close(batch, finished_at=datetime.now(UTC), counts=dict(counts))
    except PyMongoError as exc:
        sys.stderr.write(f"the batch ledger could not be updated: {describe(exc, 200)}\n")
        code = EXIT_FAILED
    report = args.report or f"{args.file}.report.csv"
    with open(report, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(o.cells() for o in outcomes)
    sys.stdout.write(
        f"rows {len(outcomes)}: accepted {counts['accepted']}, duplicate {counts['duplicate']}, "
        f"rejected {counts['rejected']}\nreport {report}\nbatch {batch}\n"
    )
    return code


def rollback(ledger: ImportLedger, batch: str, out: TextIO) -> int:
    """Withdraw the batch's unrouted complaints; list the ones already routed."""
    try:
        done = ledger.rollback(batch, now=datetime.now(UTC))
    except UnknownBatch:
        sys.stderr.write(f"no import batch {batch}\n")
        return EXIT_FAILED
    for complaint_id, tracking in done.too_late:
        out.write(f"too late, already routed: {tracking} ({complaint_id})\n")
    for complaint_id in done.in_flight:
        out.write(f"being sent right now, run the rollback again: {complaint_id}\n")
    out.write(
        f"batch {batch}: withdrawn {len(done.withdrawn)}, too late {len(done.too_late)}, "
        f"in flight {len(done.in_flight)}\n"
    )
    return 0 if not done.in_flight else EXIT_FAILED


def _meta(args: argparse.Namespace, data: bytes) -> dict[str, Any]:
    return {
        "file": str(args.file),
        "sha256": file_id(data),
        "channel": args.channel,
        "connector_id": args.connector,
        "started_at": datetime.now(UTC),
    }


class Progress:
    """A one-line progress display on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, out: TextIO) -> None:
        self._total, self._out, self._last, self._done = total, out, 0.0, 0

    def show(self, counts: Counter[str]) -> None:
        """Redraw the line for one more row."""
        self._done += 1
        now = time.monotonic()
        if now - self._last < 0.1 and self._done < self._total:
            return
        self._last = now
        share = 100 * self._done // max(self._total, 1)
        bar = "#" * (share // 5)
        self._out.write(
            f"\r[{bar:<20}] {self._done}/{self._total} ({share}%) accepted {counts['accepted']} "
            f"duplicate {counts['duplicate']} rejected {counts['rejected']}"
        )
        if self._done >= self._total:
            self._out.write("\n")
        self._out.flush()
