"""The Aduan services; each talks to the others only over Kafka topics and HTTP."""
