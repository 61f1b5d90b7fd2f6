"""`dry-run`: compare a candidate rule set with the current one over past complaints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from kafka.errors import KafkaError
from pymongo.errors import PyMongoError

from services.router.config import Settings
from services.router.decide import ComplaintFields
from services.router.directory import load_directory
from services.router.dryrun import compare, describe, read_jsonl
from services.router.dryrun_sources import TopicRange, from_mongo
from services.router.loading import ConfigFileError
from services.router.rules import load_rules
from shared.mongo import database, mongo_client

EXIT_BAD_CONFIG = 2
EXIT_BAD_INPUT = 3


def add_dry_run_parser(subparsers: Any) -> None:
    """Declare `dry-run` and its options."""
    p = subparsers.add_parser("dry-run", help="what a candidate rule set would change")
    p.add_argument("--rules", type=Path, required=True, help="the candidate rules file")
    p.add_argument("--current", type=Path, help="the rules in force (default: the service's)")
    p.add_argument("--opd", type=Path, help="OPD directory file (default: the service's)")
    p.add_argument("--since", type=date.fromisoformat, help="only complaints received from DATE")
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--source", type=Path, help="JSONL of ComplaintReceived events or payloads (default: stdin)"
    )
    source.add_argument(
        "--mongo",
        action="store_true",
        help="the stored complaints: intake's collection (ROUTER_INTAKE_COLLECTION) in "
        "ROUTER_MONGODB_DATABASE at MONGODB_URI",
    )
    source.add_argument(
        "--topic", help="a topic of ComplaintReceived events, from --since to its current end"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run_dry_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `dry-run` with parsed arguments; return the exit code."""
    try:
        directory = load_directory(args.opd or settings.opd_file)
        current = load_rules(args.current or settings.rules_file, directory)
        candidate = load_rules(args.rules, directory)
    except ConfigFileError as exc:
        sys.stderr.write(f"dry-run: {exc}\n")
        return EXIT_BAD_CONFIG
    for warning in candidate.warnings:
        sys.stderr.write(f"dry-run: warning: {warning}\n")
    since = datetime.combine(args.since, datetime.min.time(), UTC) if args.since else None
    try:
        report = compare(_complaints(args, settings, since), current, candidate)
    except (OSError, ValueError, PyMongoError, KafkaError) as exc:  # unreadable or unreachable
        sys.stderr.write(f"dry-run: {exc}\n")
        return EXIT_BAD_INPUT
    if args.json:
        sys.stdout.write(orjson.dumps(report.as_dict()).decode() + "\n")
    else:
        sys.stdout.write(describe(report))
    return 0


def _complaints(
    args: argparse.Namespace, settings: Settings, since: datetime | None
) -> Iterator[ComplaintFields]:
    """The complaints to replay, from the source the options name."""
    if args.mongo:
        client = mongo_client(settings.mongodb_uri, app_name="router-dry-run")
        try:
            db = database(client, settings.mongodb_database)
            yield from from_mongo(db[settings.intake_collection], since)
        finally:
            client.close()
    elif args.topic:
        topic = TopicRange(settings.kafka, args.topic, since)
        yield from topic
        if topic.skipped:
            sys.stderr.write(
                f"dry-run: {topic.skipped} records skipped (not a received complaint)\n"
            )
    else:
        yield from read_jsonl(_lines(args.source), since)


def _lines(source: Path | None) -> Iterable[str]:
    if source is None:
        yield from sys.stdin
        return
    with source.open(encoding="utf-8") as handle:
        yield from handle
