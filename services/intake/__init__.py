"""Intake: accepts complaints from every channel, stores them durably, relays them to Kafka."""
