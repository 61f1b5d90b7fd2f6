"""Helpers for the router's unit tests: rule files in a temporary folder, the real directory."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path

from services.router.directory import OpdDirectory, load_directory
from services.router.rules import RuleSet, load_rules

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "deploy" / "config"
OPD_FILE = CONFIG / "opd.yaml"
RULES_FILE = CONFIG / "rules.yaml"


@cache
def directory() -> OpdDirectory:
    """Return the real OPD directory (loaded once: it is immutable)."""
    return load_directory(OPD_FILE)


@cache
def shipped_rules() -> RuleSet:
    """Return the shipped rule set (loaded once: compiling 600+ rules takes most of a second)."""
    return load_rules(RULES_FILE, directory())


def write(path: Path, text: str) -> Path:
    """Write dedented YAML to `path` and return it."""
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rules_from(tmp_path: Path, text: str, name: str = "rules.yaml") -> RuleSet:
    """Load a rule set written inline, against the real OPD directory."""
    return load_rules(write(tmp_path / name, text), directory())
