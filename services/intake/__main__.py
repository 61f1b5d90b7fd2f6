"""`python -m services.intake [--channel web ...]`: serve the intake over HTTP with uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from services.intake.adapters import ADAPTERS
from services.intake.app import create_app
from services.intake.config import Settings
from shared.logs import configure_logging

log = logging.getLogger("services.intake")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m services.intake", description=__doc__)
    parser.add_argument(
        "--channel",
        action="append",
        choices=sorted(ADAPTERS),
        help="serve only this channel's routes (repeatable; default: every channel)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the service; uvicorn handles SIGTERM and the lifespan stops the relay cleanly."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    app = create_app(settings, args.channel)
    log.info(
        "starting",
        extra={"channels": args.channel or sorted(ADAPTERS), "port": settings.http_port},
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
