"""`python -m services.sla`: run the case consumer and the status API until SIGTERM."""

from __future__ import annotations

import logging
import sys

from services.sla.config import Settings
from services.sla.service import build
from shared.logs import configure_logging
from shared.service import run_consume_service

log = logging.getLogger("services.sla")


def main() -> int:
    """Start the sla; return the exit code (3 when Kafka stayed away)."""
    settings = Settings()
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
