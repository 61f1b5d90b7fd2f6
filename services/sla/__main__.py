"""`python -m services.sla`: run the sla's faust worker (agent, table, web on SLA_HTTP_PORT).

The worker is started programmatically (`faust.Worker(app).execute_from_commandline()`), not
through faust's click CLI, so the settings object stays the one source of configuration. faust's
worker handles SIGTERM/SIGINT: it stops the agent, flushes the producer, commits and exits.
"""

from __future__ import annotations

import logging
import sys

import faust

from services.sla.app import create_app
from services.sla.config import Settings
from services.sla.repository import CaseRepository
from services.sla.topics import ensure_sla_topics
from shared.health import KafkaCheck, mongo_check
from shared.logs import configure_logging
from shared.mongo import database, mongo_client

log = logging.getLogger("services.sla")


def main() -> int:
    """Start the worker; return the exit code."""
    settings = Settings()
    configure_logging(settings.service_name, settings.log_level)
    client = mongo_client(settings.mongodb_uri, app_name=settings.service_name)
    repository = CaseRepository(
        database(client, settings.mongodb_database)[settings.cases_collection]
    )
    kafka_check = KafkaCheck(settings.kafka)
    try:
        repository.ensure_indexes()
        ensure_sla_topics(settings)
        sla = create_app(
            settings,
            repository=repository,
            ready={"mongo": mongo_check(client), "kafka": kafka_check},
        )
        worker = faust.Worker(
            sla.app, loglevel=settings.log_level, override_logging=False, quiet=True
        )
        worker.spinner = None  # a terminal spinner would break the JSON log lines
        worker.execute_from_commandline()  # raises SystemExit when the worker stops
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0
    except Exception:
        log.critical("sla worker failed", exc_info=True)
        return 1
    finally:
        kafka_check.close()
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
