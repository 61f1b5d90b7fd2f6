"""A stand-in for the OPD systems: answers every dispatched case, then resolves it. It speaks
both ways, as OPDs do:

- **Kafka** for the OPDs not on HTTP: it subscribes to their topics (`opd.<code>`, not the
  triage queue), and for each `ComplaintDispatched` posts a substantive `FollowUpPosted` and a
  `ComplaintResolved` to `complaints.updates`, as an OPD's Admin Penghubung would. It uses the
  shared consume loop, so a malformed record is dead-lettered like anywhere else;
- **HTTP** for the OPDs of the gateway's registry when `OPD_SIMULATOR_HTTP_OPDS_FILE` names it
  (`make run`: deploy/config/opd_gateway.yaml): it receives their signed webhooks
  from the OPD gateway on `/webhooks/<code>` (this process's port) and answers through the
  gateway's inbox (`opd_http.py`).

    python -m deploy.local.opd_simulator [--topics opd.3578-dinkes,opd.3578-pupr] [--updates complaints.updates]
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from deploy.local.opd_http import HttpOpds, http_opds
from shared.config import ConsumerSettings
from shared.events import (
    ComplaintDispatched,
    ComplaintResolved,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
    Payload,
    decode,
    follow,
)
from shared.kafka.admin import load_topic_specs
from shared.kafka.records import Outgoing, per_record
from shared.logs import configure_logging
from shared.service import build_consume_service, health_app, run_consume_service
from shared.topics import COMPLAINTS_UPDATES

SOURCE = "/aduan/opd-simulator"


class SimulatorSettings(ConsumerSettings):
    """Only Kafka matters to the simulator; the rest comes from the command line."""

    model_config = SettingsConfigDict(env_prefix="OPD_SIMULATOR_")

    service_name: str = "opd-simulator"
    group_id: str = "opd-simulator"
    # The OPDs on HTTP: the gateway's inbox, and the same secrets and keys the gateway has.
    gateway_url: str = "http://127.0.0.1:8005"
    # The OPD gateway's registry (`make run` sets deploy/config/opd_gateway.yaml): those OPDs
    # are played over HTTP, not Kafka. Unset (e2e and fault suites, no gateway): all on Kafka.
    http_opds_file: Path | None = None
    webhook_secrets: dict[str, list[str]] = Field(default_factory=dict)
    inbox_keys: dict[str, str] = Field(default_factory=dict)


TOPICS_FILE = Path(__file__).parents[1] / "kafka" / "topics.yaml"
log = logging.getLogger("opd_simulator")


def answer(event: Envelope[ComplaintDispatched], updates_topic: str) -> list[Outgoing]:
    """Return the follow-up and the resolution an OPD would post for a dispatched case."""
    opd = event.data.assignment.opd_code
    now = datetime.now(UTC)
    follow_up = FollowUpPosted(
        opd_code=opd,
        kind=FollowUpKind.SUBSTANTIVE,
        text=f"Laporan {event.data.complaint.tracking_number} sudah kami tinjau di lapangan.",
        author=f"penghubung-{opd}",
        posted_at=now,
    )
    resolved = ComplaintResolved(
        opd_code=opd,
        resolution="Tindak lanjut selesai dan telah dikonfirmasi ke lokasi.",
        resolved_at=now + timedelta(milliseconds=1),
        resolved_by=f"penghubung-{opd}",
    )
    return [
        Outgoing.event(updates_topic, follow(event, follow_up, source=SOURCE)),
        Outgoing.event(updates_topic, follow(event, resolved, source=SOURCE)),
    ]


def opd_topics(on_http: Collection[str] = ()) -> list[str]:
    """The declared OPD topics, without the triage desks (a person works those) and without
    the OPDs on HTTP (the gateway serves those; this process answers them by webhook)."""
    names = (spec.name for spec in load_topic_specs(TOPICS_FILE))
    skip = {f"opd.{code}" for code in on_http}
    return [
        n
        for n in names
        if n.startswith("opd.") and not n.endswith(("triage", ".dlq")) and n not in skip
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the simulator until SIGTERM."""
    parser = argparse.ArgumentParser(prog="opd_simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--topics", help="comma-separated OPD topics (default: all declared)")
    parser.add_argument("--updates", default=COMPLAINTS_UPDATES, help="topic to post updates to")
    parser.add_argument("--group", default="opd-simulator")
    parser.add_argument("--port", type=int, default=8090, help="health and metrics port")
    args = parser.parse_args(argv)
    configure_logging("opd-simulator")
    settings = SimulatorSettings(http_port=args.port, group_id=args.group)
    on_http = http_opds(settings.http_opds_file) if settings.http_opds_file else []
    topics = args.topics.split(",") if args.topics else opd_topics(on_http)

    def handle(event: Envelope[Payload]) -> list[Outgoing]:
        if not isinstance(event.data, ComplaintDispatched):
            raise ValueError(f"expected a dispatched complaint, got {event.type}")
        return answer(cast(Envelope[ComplaintDispatched], event), args.updates)

    service = build_consume_service(
        settings, topics=topics, decode=decode, handle=per_record(handle)
    )
    opds = HttpOpds(
        gateway_url=settings.gateway_url,
        secrets=settings.webhook_secrets,
        keys=settings.inbox_keys,
    )
    app = health_app(service)
    app.include_router(opds.router())
    log.info("answering cases", extra={"topics": topics, "http_opds": on_http})
    try:
        return run_consume_service(
            service, host=settings.http_host, port=settings.http_port, http_app=app
        )
    finally:
        opds.close()


if __name__ == "__main__":
    sys.exit(main())
