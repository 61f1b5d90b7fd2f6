"""Create the declared topics (deploy/kafka/topics.yaml, DLQ twins included) on a broker."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.kafka.admin import ensure_topics, load_topic_specs

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "kafka" / "topics.yaml"


def main(argv: list[str] | None = None) -> int:
    """Create what is missing and say what was created."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="bootstrap servers")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="declared topic list")
    args = parser.parse_args(argv)
    specs = load_topic_specs(args.file)
    created = ensure_topics(args.bootstrap, specs)
    for name in created:
        print(f"create_topics: created {name}")
    print(f"create_topics: {len(specs)} declared, {len(created)} created", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
