"""Kafka plumbing: topic declarations, the idempotent producer, the one consume loop."""
