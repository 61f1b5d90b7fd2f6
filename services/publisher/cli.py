"""The publisher's command line (DESIGN §5): `run` (the service, default), `redact`, `report`,
`reconcile` and `replay-dlq`."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from services.publisher.redaction import Redaction, redact
from shared.kafka.replay import add_replay_parser

EXIT_BAD_INPUT = 1


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    """Return the parser of `python -m services.publisher [run | redact ... | replay-dlq ...]`."""
    parser = argparse.ArgumentParser(prog="python -m services.publisher", description=description)
    parser.set_defaults(command="run")
    subparsers = parser.add_subparsers(dest="command")
    subparsers.add_parser("run", help="publish resolved cases (the default)")
    redact_parser = subparsers.add_parser("redact", help="write the public version of stdin")
    mode = redact_parser.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="also list what was removed")
    mode.add_argument(
        "--jsonl", action="store_true", help='JSON lines {"text", "reporter"} in and out'
    )
    report = subparsers.add_parser("report", help="the periodic complaint-handling report")
    report.add_argument("--period", required=True, help="e.g. 2026-H2 or 2026-Q1")
    report.add_argument("--publish", action="store_true", help="also publish it to the catalogue")
    reconcile = subparsers.add_parser("reconcile", help="compare the ledger with the targets")
    reconcile.add_argument("--target", choices=["lapor", "ckan"], help="one target only")
    reconcile.add_argument("--mend", action="store_true", help="repair the drift found")
    add_replay_parser(subparsers)
    return parser


def redact_command(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Redact standard input to standard output in the form `args` asks for."""
    if args.jsonl:
        return _redact_lines(stdin, stdout)
    result = redact(stdin.read())
    stdout.write(_dumps(_by_kind(result)) + "\n" if args.json else result.text)
    return 0


def _redact_lines(stdin: TextIO, stdout: TextIO) -> int:
    """Answer each JSON line with one line, in order; a bad line gets an error line."""
    status = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        try:
            answer = _answer(json.loads(line))
        except (ValueError, TypeError) as error:
            answer, status = {"error": f"line {number}: {error}"}, EXIT_BAD_INPUT
        stdout.write(_dumps(answer) + "\n")
    return status


def _answer(record: object) -> dict[str, Any]:
    """Return the public version of one `{"text": ..., "reporter": {...}}` record."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise TypeError('expected an object with a string "text"')
    reporter = record.get("reporter")
    if reporter is not None and not isinstance(reporter, dict):
        raise TypeError('"reporter" must be an object')
    result = redact(record["text"], reporter)
    return {"text": result.text, "removed": [item.as_dict() for item in result.removed]}


def _by_kind(result: Redaction) -> dict[str, Any]:
    """Return the --json answer: the text, the removed items in order, and them by kind."""
    grouped: dict[str, list[str]] = {}
    for item in result.removed:
        grouped.setdefault(item.kind.value, []).append(item.value)
    removed = [item.as_dict() for item in result.removed]
    return {"text": result.text, "removed": removed, "by_kind": grouped}


def _dumps(value: object) -> str:
    """Return compact-enough JSON that keeps Indonesian text and emoji readable."""
    return json.dumps(value, ensure_ascii=False)
