"""Contracts and plumbing shared by every Aduan service: events, topics, Kafka, Mongo, config."""
