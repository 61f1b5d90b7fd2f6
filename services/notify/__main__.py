"""`python -m services.notify [serve]` tells reporters about their case on `notify.<channel>`;
`... email` sends `notify.email` over SMTP; `... replay-dlq` sends the dead letters of the
topics they read back to them."""

from __future__ import annotations

import argparse
import logging
import sys

from services.notify.config import Settings
from services.notify.service import build_mail_sender, build_notifier
from services.notify.templates import TemplateError
from shared.kafka.replay import add_replay_parser, run_replay
from shared.logs import configure_logging
from shared.service import run_consume_service

log = logging.getLogger("services.notify")
EXIT_BAD_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m services.notify", description=__doc__)
    subparsers = parser.add_subparsers(dest="command")
    subparsers.add_parser("serve", help="run the notifier (the default)")
    subparsers.add_parser("email", help="run the e-mail sender (notify.email -> SMTP)")
    add_replay_parser(subparsers)
    args = parser.parse_args(argv)
    settings = Settings()
    topics = settings.topics
    if args.command == "replay-dlq":
        lifecycle = [topics.received, topics.assigned, topics.updates, topics.resolved]
        return run_replay(args, settings.kafka, [*lifecycle, topics.notify("email")])
    configure_logging(settings.service_name, settings.log_level)
    if args.command == "email":
        log.info(
            "e-mail sender starting", extra={"smtp": f"{settings.smtp.host}:{settings.smtp.port}"}
        )
        return run_consume_service(
            build_mail_sender(settings), host=settings.http_host, port=settings.email_http_port
        )
    try:
        service = build_notifier(settings)
    except (TemplateError, ValueError, OSError) as exc:
        log.critical("cannot start: %s", exc)
        return EXIT_BAD_CONFIG
    log.info("notify starting", extra={"group": settings.group_id, "port": settings.http_port})
    return run_consume_service(service, host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    sys.exit(main())
