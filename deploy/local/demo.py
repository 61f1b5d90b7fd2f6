"""Push the sample complaints through the running pipeline and print where each one ended up.

    python -m deploy.local.demo [--intake URL] [--sla URL] [--lapor URL] [--timeout S]

Each complaint goes in over the intake's web channel, then the demo follows it in the sla's
status API until it is resolved and in the LAPOR! contract server until it arrived there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from deploy.local.opd_http import http_opds

SAMPLES = Path(__file__).with_name("demo_complaints.json")


@dataclass
class Tracked:
    """One demo complaint and what has been seen of it so far."""

    complaint_id: str
    tracking_number: str
    case: dict[str, Any] | None = None
    lapor_id: str | None = None
    ppid: dict[str, Any] | None = None  # its redacted record in the PPID catalogue

    @property
    def done(self) -> bool:
        return self.lapor_id is not None and (self.case or {}).get("status") == "resolved"


def submit(client: httpx.Client, intake: str, api_key: str) -> list[Tracked]:
    """Send every sample as a web-form submission; return the accepted complaints."""
    run = uuid.uuid4().hex[:6]
    tracked = []
    for n, sample in enumerate(orjson.loads(SAMPLES.read_bytes()), start=1):
        body = {"form_id": f"demo-{run}-{n}", **sample}
        reply = client.post(
            f"{intake}/v1/channels/web/complaints", json=body, headers={"X-Api-Key": api_key}
        )
        reply.raise_for_status()
        answer = reply.json()
        tracked.append(Tracked(answer["complaint_id"], answer["tracking_number"]))
    return tracked


def follow(
    client: httpx.Client, tracked: list[Tracked], urls: argparse.Namespace, timeout_s: float
) -> None:
    """Poll the status API and the contract servers until every complaint arrived."""
    deadline = time.monotonic() + timeout_s
    while not all(t.done for t in tracked) and time.monotonic() < deadline:
        sent = _lapor_ids(client, urls.lapor)
        public = _ppid_records(client, urls.ckan)
        for t in tracked:
            reply = client.get(f"{urls.sla}/v1/cases/{t.tracking_number}")
            if reply.status_code == 200:
                t.case = reply.json()
            t.lapor_id = sent.get(t.complaint_id)
            t.ppid = public.get(t.complaint_id)
        time.sleep(0.5)  # polling an external view at a human pace, not synchronising a test


def _ppid_records(client: httpx.Client, ckan: str) -> dict[str, dict[str, Any]]:
    """The redacted public records in the PPID catalogue, by our complaint id."""
    try:
        datastore = client.get(f"{ckan}/_contract/received").json()["datastore"]
    except (httpx.HTTPError, KeyError, ValueError):  # no catalogue configured: nothing to show
        return {}
    rows = (r for table in datastore.values() for r in table.get("records", []))
    return {r["id_publik"].split(":")[0]: r for r in rows if r.get("id_publik")}


def _lapor_ids(client: httpx.Client, lapor: str) -> dict[str, str]:
    """LAPOR! ids by our complaint id, read back from the contract server."""
    records = client.get(f"{lapor}/_contract/received").json()["complaints"]
    return {
        r["complaint"]["external_id"].split(":")[0]: r["id"]
        for r in records
        if r["complaint"].get("external_id")
    }


def summary(tracked: list[Tracked], channel: str = "web") -> Table:
    """One line per complaint: channel, OPD, status, LAPOR! id, and its public PPID record."""
    table = Table(title="Aduan demo: sample complaints through the pipeline")
    for column in (
        "tracking number",
        "channel",
        "OPD",
        "OPD speaks",
        "status",
        "LAPOR! id",
        "PPID record (redacted)",
    ):
        table.add_column(column)
    for t in tracked:
        case = t.case or {}
        table.add_row(
            t.tracking_number,
            channel,
            case.get("opd_code") or "-",
            _speaks(case.get("opd_code")),
            case.get("status_label") or case.get("status") or "not seen yet",
            t.lapor_id or "-",
            _public(t, case),
        )
    return table


def _speaks(opd: str | None) -> str:
    """How the OPD got the case and answered it: Kafka, or webhooks and the gateway's inbox."""
    if opd is None:
        return "-"
    return "HTTP: webhook + inbox" if opd in http_opds() else "Kafka"


def _public(t: Tracked, case: dict[str, Any]) -> str:
    if case.get("confidential"):
        return "rahasia: not published"
    if not t.ppid:
        return "-"
    return f"{t.ppid.get('judul', '')}: {t.ppid.get('jawaban', '')}"[:60]


def reporter_mails(client: httpx.Client, smtp: str, tracked: list[Tracked]) -> Table:
    """The e-mails notify sent the demo's reporters (as the local SMTP server received them)."""
    numbers = {t.tracking_number for t in tracked}
    table = Table("to", "subject", "in reply to", title="Messages to the reporters (e-mail)")
    try:
        mails = client.get(f"{smtp}/messages").json()
    except httpx.HTTPError:
        mails = []
    for mail in mails:
        if any(n in (mail.get("subject") or "") for n in numbers):
            table.add_row(", ".join(mail["to"]), mail["subject"], mail.get("in_reply_to") or "-")
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the demo; exit 1 if a complaint did not make it through in time."""
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.splitlines()[0])
    parser.add_argument("--intake", default="http://127.0.0.1:8001")
    parser.add_argument("--sla", default="http://127.0.0.1:8003")
    parser.add_argument("--lapor", default="http://127.0.0.1:8081")
    parser.add_argument("--ckan", default="http://127.0.0.1:8082")
    parser.add_argument("--smtp", default="http://127.0.0.1:8083")
    parser.add_argument("--api-key", default=os.environ.get("DEMO_API_KEY", "demo-key"))
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 120))  # pipes default to 80 columns: too narrow
    with httpx.Client(timeout=10.0) as client:
        tracked = submit(client, args.intake, args.api_key)
        console.print(f"submitted {len(tracked)} complaints; following them through the pipeline…")
        follow(client, tracked, args, args.timeout)
        mails = reporter_mails(client, args.smtp, tracked)
    console.print(summary(tracked))
    console.print(mails)
    return 0 if all(t.done for t in tracked) else 1


if __name__ == "__main__":
    sys.exit(main())
