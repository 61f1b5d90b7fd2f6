"""Test support: infrastructure selection, polling and Kafka helpers shared by the test suites."""
