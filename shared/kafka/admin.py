"""Create topics from a declared list; the broker never auto-creates them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.config import KafkaSettings
from shared.topics import DLQ_SUFFIX


@dataclass(frozen=True)
class TopicSpec:
    """One declared topic: name, partitions, and broker-side configs."""

    name: str
    partitions: int = 3
    replication_factor: int = 1
    configs: dict[str, str] = field(default_factory=dict)
    dead_letter: bool = False

    def with_dead_letter(self) -> list[TopicSpec]:
        """Return this topic and, when it is consumed, its `<topic>.dlq` twin."""
        if not self.dead_letter:
            return [self]
        twin = TopicSpec(self.name + DLQ_SUFFIX, self.partitions, self.replication_factor)
        return [self, twin]


def load_topic_specs(path: Path) -> list[TopicSpec]:
    """Read the declared topic list (`deploy/kafka/topics.yaml`), DLQ twins included, and the
    files it includes (paths relative to it, each with its own defaults)."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = doc.get("defaults", {})
    specs: list[TopicSpec] = []
    for included in doc.get("include", []):
        specs.extend(load_topic_specs(path.parent / included))
    for entry in doc["topics"]:
        spec = TopicSpec(
            name=entry["name"],
            partitions=int(entry.get("partitions", defaults.get("partitions", 3))),
            replication_factor=int(
                entry.get("replication_factor", defaults.get("replication_factor", 1))
            ),
            configs={str(k): str(v) for k, v in entry.get("configs", {}).items()},
            dead_letter=bool(entry.get("dead_letter", False)),
        )
        specs.extend(spec.with_dead_letter())
    return specs


def ensure_topics(bootstrap_servers: str, specs: Iterable[TopicSpec], **client: Any) -> list[str]:
    """Create the missing topics of `specs`; return the names that were created."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, **client)
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(
                s.name,
                num_partitions=s.partitions,
                replication_factor=s.replication_factor,
                topic_configs=s.configs,
            )
            for s in missing
        ]
        # Another process may create them between our list and our create: the goal holds.
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(new, wait_for_metadata=True)
        return [s.name for s in missing]
    finally:
        admin.close()


def existing_topics(settings: KafkaSettings, timeout_ms: int = 5_000) -> set[str]:
    """Return the names of the topics the cluster has (raises KafkaError when it is away)."""
    admin = KafkaAdminClient(
        **settings.client_options(), request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms
    )
    try:
        return set(admin.list_topics())
    finally:
        admin.close()
