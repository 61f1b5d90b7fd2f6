"""The operator commands `report` and `reconcile`, over the same wiring as the service."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, TextIO

from pymongo import MongoClient

from services.publisher.catalogue import CatalogueMapping
from services.publisher.chart import bar_chart
from services.publisher.ckan import NameTaken
from services.publisher.ckan_publisher import CkanPublisher
from services.publisher.config import Settings
from services.publisher.ledger import LedgerKey, LedgerState
from services.publisher.publisher import LaporPublisher
from services.publisher.reconcile import Drift, drift, surplus
from services.publisher.report import Period, parse_period, rows, summary, to_csv
from services.publisher.service import build_targets, ledger_of
from services.publisher.stats import CaseStats
from services.publisher.target import TargetPublisher
from services.publisher.workdays import Calendar
from shared.events import decode
from shared.mongo import database, mongo_client

log = logging.getLogger(__name__)


def _stores(settings: Settings) -> tuple[MongoClient[dict[str, Any]], CaseStats]:
    mongo: MongoClient[dict[str, Any]] = mongo_client(
        settings.mongodb_uri, app_name="publisher-cli"
    )
    return mongo, CaseStats(database(mongo, settings.mongodb_database)[settings.stats_collection])


def report(settings: Settings, period_text: str, *, publish: bool, out: TextIO) -> int:
    """Write the period's report files (CSV, summary, SVG chart); publish them when asked."""
    period = parse_period(period_text)
    ckan = settings.ckan
    mapping = ckan.mapping if ckan else CatalogueMapping()
    offset = ckan.utc_offset_hours if ckan else 7
    calendar = Calendar(utc_offset_hours=offset, days_off=ckan.days_off if ckan else ())
    mongo, stats = _stores(settings)
    with mongo:
        facts = stats.resolved_between(*period.bounds(offset))
    table = rows(facts, period, mapping, calendar)
    files = _write(Path(settings.report_dir) / period.label, table, period)
    out.write(summary(table, period))
    if publish:
        _publish(settings, period, files)
    out.write("".join(f"wrote {path}\n" for path in files.values()))
    return 0


def _write(folder: Path, table: list[Any], period: Period) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bars = [(r.nama_opd, r.selesai) for r in table]
    chart = bar_chart(f"Pengaduan selesai per OPD, {period.label}", bars)
    files = {
        "csv": (folder / f"laporan-pengaduan-{period.label}.csv", to_csv(table)),
        "summary": (folder / f"ringkasan-{period.label}.md", summary(table, period)),
        "chart": (folder / f"grafik-{period.label}.svg", chart),
    }
    for path, text in files.values():
        path.write_text(text, encoding="utf-8")
    return {kind: path for kind, (path, _) in files.items()}


def _publish(settings: Settings, period: Period, files: dict[str, Path]) -> None:
    """Create (or patch) the period's berkala dataset and attach the three files."""
    target = _ckan_target(settings)
    client = target.client
    name = f"laporan-berkala-pengaduan-{period.label.lower()}"
    package = {
        "name": name,
        "title": f"Laporan berkala penanganan pengaduan {period.label}",
        "owner_org": target.mapping.organization,
        "notes": files["summary"].read_text(encoding="utf-8"),
        "extras": [{"key": "dip_kategori", "value": "berkala"}],
    }
    try:
        created = client.action("package_create", package)
    except NameTaken:
        created = client.action("package_patch", {"id": name, "notes": package["notes"]})
    media = {"csv": "text/csv", "summary": "text/markdown", "chart": "image/svg+xml"}
    for kind, path in files.items():
        fields = {"package_id": created["id"], "name": path.name, "format": path.suffix[1:].upper()}
        client.upload("resource_create", fields, path.name, path.read_bytes(), media[kind])


def _ckan_target(settings: Settings) -> CkanPublisher:
    mongo, _ = _stores(settings)
    targets, _closers = build_targets(settings, ledger_of(mongo, settings))
    found = [t for t in targets if isinstance(t, CkanPublisher)]
    if not found:
        raise SystemExit("--publish needs the catalogue: set PUBLISHER_CKAN__TOKEN (and BASE_URL)")
    return found[0]


def reconcile(settings: Settings, only: str | None, *, mend: bool, out: TextIO) -> int:
    """Report drift per target as JSON lines; with `mend`, repair it. Exit 1 on drift left."""
    mongo, stats = _stores(settings)
    ledger = ledger_of(mongo, settings)
    targets, closers = build_targets(settings, ledger)
    left = 0
    with mongo:
        for target in targets:
            if only in (None, target.name):
                found = drift(target.name, ledger.all_entries(target.name), _held(target))
                out.write(json.dumps(found.as_dict()) + "\n")
                if mend and not found.clean:
                    _mend(target, found, stats)
                    found = drift(target.name, ledger.all_entries(target.name), _held(target))
                    out.write(json.dumps({"after_mend": found.as_dict()}) + "\n")
                left += not found.clean
    for close in closers:
        close()
    return 1 if left else 0


def _held(target: TargetPublisher) -> dict[str, list[str]]:
    if isinstance(target, LaporPublisher):
        return target.client.list_external_ids()
    if isinstance(target, CkanPublisher):
        return target.held()
    return {}


def _mend(target: TargetPublisher, found: Drift, stats: CaseStats) -> None:
    """Publish the missing again, withdraw surplus duplicates, drop or adopt extras."""
    events = stats.events(found.missing)
    for external in found.missing:
        if external in events:
            _republish(target, external, events[external])
        else:
            log.warning("cannot mend %s: its source event is not stored", external)
    if isinstance(target, LaporPublisher):
        _mend_lapor(target, found)
    elif isinstance(target, CkanPublisher):
        for external, resources in found.extra.items():
            if target.ledger.get(_key(target, external)) is None:
                target.delete(external, resources)


def _mend_lapor(target: LaporPublisher, found: Drift) -> None:
    for external, held in found.duplicate.items():
        entry = target.ledger.get(_key(target, external))
        for remote_id in surplus(held, entry.remote_id if entry else None):
            target.client.withdraw(remote_id)
    for external, held in found.extra.items():
        key = _key(target, external)
        entry = target.ledger.get(key)
        if entry is not None and entry.state is not LedgerState.SENT and entry.remote_id is None:
            target.ledger.record_created(key, remote_id=held[0], tracking_id=None, now=target.now())


def _republish(target: TargetPublisher, external: str, raw: str) -> None:
    event = decode(raw.encode())
    key = target.key_of(event)
    target.ledger.reset(key, now=target.now())
    entry = target.ledger.claim(
        key, external_id=external, owner=target.owner, lease=target.lease, now=target.now()
    )
    target.publish(event, entry)


def _key(target: TargetPublisher, external: str) -> LedgerKey:
    complaint_id, version = external.rsplit(":", 1)
    return LedgerKey(complaint_id=complaint_id, target=target.name, case_version=int(version))
