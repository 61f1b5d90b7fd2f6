"""`python -m services.publisher`: consume resolved cases and publish them to LAPOR!."""

from __future__ import annotations

from services.publisher.app import build
from services.publisher.config import Settings
from shared.logs import configure_logging
from shared.service import exit_with, run_consume_service


def main() -> int:
    """Run the publisher until SIGTERM; return the exit code."""
    settings = Settings()  # required values (the LAPOR! token) come from the environment
    configure_logging(settings.service_name, settings.log_level)
    runtime = build(settings)
    return run_consume_service(
        runtime.loop,
        host=settings.http_host,
        port=settings.http_port,
        ready=runtime.ready,
        close=runtime.close,
    )


if __name__ == "__main__":
    exit_with(main())
