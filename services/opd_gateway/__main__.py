"""`python -m services.opd_gateway [serve]`: consume the registered OPDs' topics and send their
webhooks, and serve the inbox API, until SIGTERM. `... replay-dlq [--id ID | --all]` sends dead
letters back to the topics the gateway reads; `... redeliver --opd CODE [--id EVENT_ID]` puts an
OPD's failed webhook deliveries back in its queue (all of them without --id)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from services.opd_gateway.config import Settings
from services.opd_gateway.repository import DeliveryRepository
from services.opd_gateway.service import build, consumed_topics
from shared.kafka.replay import add_replay_parser, run_replay
from shared.logs import configure_logging
from shared.mongo import database, mongo_client
from shared.service import run_consume_service

log = logging.getLogger("services.opd_gateway")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m services.opd_gateway", description=__doc__)
    subparsers = parser.add_subparsers(dest="command")
    subparsers.add_parser("serve", help="run the consumer, the senders and the inbox (default)")
    add_replay_parser(subparsers)
    again = subparsers.add_parser("redeliver", help="queue an OPD's failed deliveries again")
    again.add_argument("--opd", required=True)
    again.add_argument("--id", action="append", dest="ids", help="an event id; repeatable")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "replay-dlq":
        return run_replay(args, settings.kafka, consumed_topics(settings))
    if args.command == "redeliver":
        return redeliver(settings, args)
    return serve(settings)


def serve(settings: Settings) -> int:
    """Run the gateway until SIGTERM; return the exit code (3 when records stalled too long)."""
    configure_logging(settings.service_name, settings.log_level)
    gateway = build(settings)
    gateway.senders.start()
    log.info("opd gateway starting", extra={"port": settings.http_port})
    return run_consume_service(
        gateway.service, host=settings.http_host, port=settings.http_port, http_app=gateway.web
    )


def redeliver(settings: Settings, args: Any) -> int:
    """Move failed deliveries back to pending; the running gateway sends them in order."""
    client: Any = mongo_client(settings.mongodb_uri, app_name="opd-gateway-redeliver")
    try:
        collection = database(client, settings.mongodb_database)[settings.deliveries_collection]
        count = DeliveryRepository(collection).requeue(args.opd, args.ids)
    finally:
        client.close()
    sys.stdout.write(f"queued again: {count}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
