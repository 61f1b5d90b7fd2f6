"""`explain`: route complaints without Kafka and show why (DESIGN.md §5 keeps this stable)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import orjson
from pydantic import ValidationError

from services.router.config import Settings
from services.router.decide import ComplaintFields, Decision, decide
from services.router.directory import OpdDirectory, load_directory
from services.router.loading import ConfigFileError
from services.router.normalize import normalise
from services.router.rules import RuleSet, load_rules
from shared.events import Channel, Classification

EXIT_BAD_CONFIG = 2
_JSON_KEYS = ("opd", "triage", "not_competent", "rule_id", "ruleset_version", "matched")


def add_explain_parser(subparsers: Any) -> None:
    """Declare `explain` and its options."""
    p = subparsers.add_parser("explain", help="route complaints without Kafka and explain why")
    p.add_argument("--text", help="complaint body (required unless --jsonl)")
    p.add_argument("--title", default="", help="complaint title")
    p.add_argument("--region", help="region code, BPS 3578 or Kemendagri 35.78")
    p.add_argument("--channel", choices=[c.value for c in Channel])
    p.add_argument("--category", help="category hint")
    p.add_argument("--classification", choices=[c.value for c in Classification])
    p.add_argument("--rules", type=Path, help="rules file (default: the service's)")
    p.add_argument("--opd", type=Path, help="OPD directory file (default: the service's)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="JSON lines in on stdin, out on stdout")


def run_explain(args: argparse.Namespace, settings: Settings, parser: Any) -> int:
    """Run `explain` with parsed arguments; return the exit code."""
    if args.jsonl == (args.text is not None):
        parser.error("give --text, or --jsonl with complaints on standard input (not both)")
    try:
        directory = load_directory(args.opd or settings.opd_file)
        rules = load_rules(args.rules or settings.rules_file, directory)
    except ConfigFileError as exc:
        sys.stderr.write(f"explain: {exc}\n")
        return EXIT_BAD_CONFIG
    for warning in rules.warnings:
        sys.stderr.write(f"explain: warning: {warning}\n")
    if args.jsonl:
        explain_lines(sys.stdin, sys.stdout, rules)
        return 0
    try:
        fields = ComplaintFields(
            text=args.text,
            title=args.title,
            region=args.region,
            channel=args.channel,
            category=args.category,
            classification=args.classification,
        )
    except ValidationError as exc:
        parser.error(_one_line(exc))
    decision = decide(fields, rules)
    if args.json:
        sys.stdout.write(_json_line(decision))
    else:
        sys.stdout.write(describe(fields, decision, directory))
    return 0


def explain_lines(lines: Iterable[str], out: TextIO, rules: RuleSet) -> None:
    """Decide each JSON line of `lines`; a bad line yields `{"error": ...}`, not an abort."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # blank lines are not complaints
        try:
            fields = ComplaintFields.model_validate_json(line)
        except ValidationError as exc:
            out.write(orjson.dumps({"error": _one_line(exc), "line": number}).decode() + "\n")
        else:
            out.write(_json_line(decide(fields, rules)))
        out.flush()  # a pipeline reading our output sees each answer as soon as it exists


def _json_line(decision: Decision) -> str:
    doc = decision.model_dump(mode="json", include=set(_JSON_KEYS))
    return orjson.dumps({key: doc[key] for key in _JSON_KEYS}).decode() + "\n"


def _one_line(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}" for err in exc.errors()
    )


def describe(fields: ComplaintFields, decision: Decision, directory: OpdDirectory) -> str:
    """Return the human-readable explanation of a decision."""
    names = {opd.code: opd.name for opd in directory.opds}
    outcome = {
        "assigned": "assigned to an OPD",
        "triage": "triage: no rule matched, the admin disposes it",
        "not_competent": "not our competence (bukan wewenang): triage forwards it",
    }[decision.outcome]
    rows = [
        ("queue", f"opd.{decision.queue} ({names.get(decision.queue, '?')})"),
        ("outcome", outcome),
        *([("forward to", decision.institution)] if decision.institution else []),
        ("rule", decision.rule_id or "(none)"),
        ("ruleset version", decision.ruleset_version),
        ("matched", ", ".join(decision.matched) or "(nothing)"),
        ("priority", decision.priority.value),
        ("deadline class", decision.deadline_class.value),
        ("normalised text", normalise(f"{fields.title} {fields.text}")),
    ]
    return "".join(f"{label + ':':<17}{value}\n" for label, value in rows)
