"""Kafka header names. Events travel in CloudEvents structured mode, so the headers carry only
the content type, and on dead-letter records where the record came from and why it failed."""

from __future__ import annotations

from typing import Final

CONTENT_TYPE: Final = "content-type"

DLQ_SOURCE_TOPIC: Final = "dlq.source.topic"
DLQ_SOURCE_PARTITION: Final = "dlq.source.partition"
DLQ_SOURCE_OFFSET: Final = "dlq.source.offset"
DLQ_ERROR_CLASS: Final = "dlq.error.class"
DLQ_ERROR_MESSAGE: Final = "dlq.error.message"
DLQ_ATTEMPTS: Final = "dlq.attempts"
DLQ_SERVICE: Final = "dlq.service"
DLQ_FAILED_AT: Final = "dlq.failed.at"

# `replay-dlq`: a marker record in the dead-letter topic says which of its records was sent back
# ("<partition>:<offset>"); the record sent back says where it was replayed from.
DLQ_REPLAYED: Final = "dlq.replayed"
REPLAYED_FROM: Final = "aduan.replayed.from"

# On `intake.raw.<channel>` records: the id of the connector that produced the record, checked
# against intake's configured connectors.
INTAKE_CONNECTOR: Final = "aduan.connector"
