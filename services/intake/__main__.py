"""`python -m services.intake [--channel web ...]` serves the HTTP intake; `... consume` reads
`intake.raw.<channel>`; `... import FILE` imports a backlog; `... replay-dlq` sends raw dead
letters back."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from services.intake import bulk_cli, raw_service
from services.intake.adapters import ADAPTERS
from services.intake.app import create_app
from services.intake.config import Settings
from shared.kafka.replay import add_replay_parser, run_replay
from shared.logs import configure_logging

log = logging.getLogger("services.intake")
COMMANDS = ("serve", "consume", "import", "replay-dlq")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line; without a command it is `serve` (the HTTP intake)."""
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv = ["serve", *argv]  # `python -m services.intake --channel web` keeps working
    parser = argparse.ArgumentParser(prog="python -m services.intake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, what in (("serve", "serve the HTTP intake"), ("consume", "consume raw topics")):
        sub = commands.add_parser(name, help=what)
        sub.add_argument(
            "--channel",
            action="append",
            choices=sorted(ADAPTERS),
            help="only this channel (repeatable; default: every channel)",
        )
    bulk_cli.add_import_parser(commands)
    add_replay_parser(commands)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen command; return its exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    if args.command == "consume":
        return raw_service.run(settings, args.channel)
    if args.command == "import":
        return bulk_cli.run(args, settings)
    if args.command == "replay-dlq":
        return run_replay(args, settings.kafka, [settings.topics.raw(c) for c in ADAPTERS])
    return serve(settings, args.channel)


def serve(settings: Settings, channels: list[str] | None) -> int:
    """Serve HTTP; uvicorn handles SIGTERM and the lifespan stops the relay cleanly."""
    app = create_app(settings, channels)
    log.info(
        "starting", extra={"channels": channels or sorted(ADAPTERS), "port": settings.http_port}
    )
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # keep our JSON logging
        timeout_graceful_shutdown=20,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
