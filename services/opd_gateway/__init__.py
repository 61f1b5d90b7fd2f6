"""The OPD gateway: signed webhooks out and an inbox API in, for OPDs without Kafka."""
