"""The topics the sla reads and writes, created at start-up when missing (the broker never
auto-creates them). The declared list in deploy/kafka/topics.yaml normally has them already."""

from __future__ import annotations

from services.sla.config import Settings
from shared.kafka.admin import TopicSpec, ensure_topics


def sla_topic_specs(settings: Settings) -> list[TopicSpec]:
    """Return the sla's topics: sources with their dead-letter twins, and the resolved topic."""
    n, rf = settings.topic_partitions, settings.topic_replication_factor
    sources = (settings.topic_received, settings.topic_assigned, settings.topic_updates)
    specs = [TopicSpec(name, n, rf, dead_letter=True) for name in sources]
    specs.append(TopicSpec(settings.topic_resolved, n, rf, dead_letter=True))
    return [twin for spec in specs for twin in spec.with_dead_letter()]


def ensure_sla_topics(settings: Settings) -> list[str]:
    """Create whichever of the sla's topics are missing; return their names."""
    options = settings.kafka.client_options()
    bootstrap = str(options.pop("bootstrap_servers"))
    return ensure_topics(bootstrap, sla_topic_specs(settings), **options)
