"""`python -m services.router [serve]` runs the consumer; `explain` and `dry-run` need no Kafka;
`replay-dlq` sends dead letters back to `complaints.received`."""

from __future__ import annotations

import argparse
import logging
import sys

from services.router.cases import MongoCases
from services.router.cli import add_explain_parser, run_explain
from services.router.cli_dryrun import add_dry_run_parser, run_dry_run
from services.router.config import Settings
from services.router.loading import ConfigFileError
from services.router.service import build_admin_app, build_service, build_store
from services.router.triage import MongoTriage
from shared.kafka.admin import existing_topics
from shared.kafka.replay import add_replay_parser, run_replay
from shared.logs import configure_logging
from shared.mongo import database, mongo_client
from shared.service import run_consume_service

log = logging.getLogger("services.router")
EXIT_BAD_CONFIG = 2


def serve(settings: Settings) -> int:
    """Run the consumer until SIGTERM; return the exit code."""
    configure_logging(settings.service_name, settings.log_level)
    try:
        store = build_store(settings, lambda: existing_topics(settings.kafka))
    except ConfigFileError as exc:
        log.critical("cannot start: %s", exc)
        return EXIT_BAD_CONFIG
    client = mongo_client(settings.mongodb_uri, app_name=settings.service_name)
    db = database(client, settings.mongodb_database)
    triage = MongoTriage(db[settings.triage_collection])
    cases = MongoCases(db[settings.cases_collection])
    service = build_service(settings, store, triage, cases)
    app = build_admin_app(settings, service, store, triage, cases)
    log.info(
        "router starting", extra={"topic": settings.topics.received, "group": settings.group_id}
    )
    return run_consume_service(
        service, host=settings.http_host, port=settings.http_port, http_app=app
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m services.router", description=__doc__)
    subparsers = parser.add_subparsers(dest="command")
    subparsers.add_parser("serve", help="run the consumer (the default)")
    add_explain_parser(subparsers)
    add_replay_parser(subparsers)
    add_dry_run_parser(subparsers)
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "explain":
        return run_explain(args, settings, subparsers.choices["explain"])
    if args.command == "replay-dlq":
        return run_replay(args, settings.kafka, [settings.topics.received])
    if args.command == "dry-run":
        return run_dry_run(args, settings)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
