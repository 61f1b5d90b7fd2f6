"""`python -m services.publisher [run]`: consume resolved cases and publish them to LAPOR!.

Subcommands to come (DESIGN §5): `redact`, `replay-dlq`.
"""

from __future__ import annotations

import argparse
import sys

from services.publisher.app import build
from services.publisher.config import Settings
from shared.logs import configure_logging
from shared.service import run_consume_service


def run() -> int:
    """Run the publisher until SIGTERM; return the exit code."""
    settings = Settings()  # required values (the LAPOR! token) come from the environment
    configure_logging(settings.service_name, settings.log_level)
    return run_consume_service(build(settings), host=settings.http_host, port=settings.http_port)


def main(argv: list[str] | None = None) -> int:
    """Dispatch the subcommand; the service itself is the default."""
    parser = argparse.ArgumentParser(prog="python -m services.publisher", description=__doc__)
    parser.add_argument("command", nargs="?", default="run", choices=["run"])
    parser.parse_args(argv)
    return run()


if __name__ == "__main__":
    sys.exit(main())
