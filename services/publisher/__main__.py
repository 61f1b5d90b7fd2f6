"""`python -m services.publisher [run | redact | report --period P [--publish] |
reconcile [--target T] [--mend] | replay-dlq ...]`.

`run` (the default) consumes resolved cases and publishes them to LAPOR!; `redact` writes the
public version of standard input (DESIGN §5); `replay-dlq` sends dead letters back to
`complaints.resolved`.
"""

from __future__ import annotations

import argparse
import sys

from services.publisher.cli import build_parser, redact_command


def run() -> int:
    """Run the publisher until SIGTERM; return the exit code."""
    # Imported here: `redact` must start fast and without the Kafka and Mongo clients.
    from services.publisher.config import Settings  # noqa: PLC0415
    from services.publisher.service import build  # noqa: PLC0415
    from shared.logs import configure_logging  # noqa: PLC0415
    from shared.service import run_consume_service  # noqa: PLC0415

    settings = Settings()  # required values (the LAPOR! token) come from the environment
    configure_logging(settings.service_name, settings.log_level)
    return run_consume_service(build(settings), host=settings.http_host, port=settings.http_port)


def replay(args: argparse.Namespace) -> int:
    """Send the publisher's dead letters back to its input topic."""
    from services.publisher.config import Settings  # noqa: PLC0415
    from shared.kafka.replay import run_replay  # noqa: PLC0415

    settings = Settings()
    return run_replay(args, settings.kafka, [settings.topics.resolved])


def operate(args: argparse.Namespace) -> int:
    """Run `report` or `reconcile` with the service's settings."""
    from services.publisher import operations  # noqa: PLC0415
    from services.publisher.config import Settings  # noqa: PLC0415
    from shared.logs import configure_logging  # noqa: PLC0415

    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    if args.command == "report":
        return operations.report(settings, args.period, publish=args.publish, out=sys.stdout)
    return operations.reconcile(settings, args.target, mend=args.mend, out=sys.stdout)


def main(argv: list[str] | None = None) -> int:
    """Dispatch the subcommand; the service itself is the default."""
    args = build_parser(__doc__).parse_args(argv)
    if args.command == "redact":
        return redact_command(args, sys.stdin, sys.stdout)
    if args.command == "replay-dlq":
        return replay(args)
    if args.command in ("report", "reconcile"):
        return operate(args)
    return run()


if __name__ == "__main__":
    sys.exit(main())
