"""`python -m services.sla [serve]`: run the case consumer and the status API until SIGTERM;
`... replay-dlq` sends dead letters back to the topics the sla reads."""

from __future__ import annotations

import argparse
import logging
import sys

from services.sla.config import Settings
from services.sla.service import build
from shared.kafka.replay import add_replay_parser, run_replay
from shared.logs import configure_logging
from shared.service import run_consume_service

log = logging.getLogger("services.sla")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m services.sla", description=__doc__)
    subparsers = parser.add_subparsers(dest="command")
    subparsers.add_parser("serve", help="run the consumer and the API (the default)")
    add_replay_parser(subparsers)
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "replay-dlq":
        topics = settings.topics
        return run_replay(args, settings.kafka, [topics.received, topics.assigned, topics.updates])
    return serve(settings)


def serve(settings: Settings) -> int:
    """Run the sla until SIGTERM; return the exit code (3 when records stalled too long)."""
    configure_logging(settings.service_name, settings.log_level)
    sla = build(settings)
    log.info("sla starting", extra={"group": settings.group_id, "port": settings.http_port})
    return run_consume_service(
        sla.service,
        host=settings.http_host,
        port=settings.http_port,
        http_app=sla.web,
    )


if __name__ == "__main__":
    sys.exit(main())
