"""`python -m services.publisher [run]`: consume resolved cases and publish them to LAPOR!;
`... replay-dlq` sends dead letters back to `complaints.resolved`."""

from __future__ import annotations

import argparse
import sys

from services.publisher.app import build
from services.publisher.config import Settings
from shared.kafka.replay import add_replay_parser, run_replay
from shared.logs import configure_logging
from shared.service import run_consume_service


def run(settings: Settings) -> int:
    """Run the publisher until SIGTERM; return the exit code."""
    configure_logging(settings.service_name, settings.log_level)
    return run_consume_service(build(settings), host=settings.http_host, port=settings.http_port)


def main(argv: list[str] | None = None) -> int:
    """Dispatch the subcommand; the service itself is the default."""
    parser = argparse.ArgumentParser(prog="python -m services.publisher", description=__doc__)
    subparsers = parser.add_subparsers(dest="command")
    subparsers.add_parser("run", help="publish resolved cases (the default)")
    add_replay_parser(subparsers)
    args = parser.parse_args(argv)
    settings = Settings()  # required values (the LAPOR! token) come from the environment
    if args.command == "replay-dlq":
        return run_replay(args, settings.kafka, [settings.topics.resolved])
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
