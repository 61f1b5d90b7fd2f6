"""The rule set in use, re-read when its files change; an invalid new file keeps the old rules."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from services.router import metrics
from services.router.directory import OpdDirectory, load_directory
from services.router.loading import ConfigFileError
from services.router.rules import RuleSet, load_rules

log = logging.getLogger(__name__)


class RulesStore:
    """Holds the current RuleSet; `current()` reloads at most every `check_interval_s`."""

    def __init__(
        self,
        rules_file: Path,
        opd_file: Path,
        *,
        check_interval_s: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        check: Callable[[OpdDirectory], None] | None = None,
    ) -> None:
        self._files = (rules_file, opd_file)
        self._check = check  # raises ConfigFileError to refuse a directory (e.g. unknown topics)
        self._interval = check_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._rules: RuleSet | None = None
        self._stamp: tuple[int, ...] | None = None
        self._checked_at = float("-inf")
        self._last_error = "not read yet"

    def current(self) -> RuleSet:
        """Return the rule set in use, reloading first when the files changed; raise
        ConfigFileError only when no valid rule set was ever loaded."""
        with self._lock:
            now = self._clock()
            if self._rules is None or now - self._checked_at >= self._interval:
                self._checked_at = now
                self._reload_if_changed()
            if self._rules is None:
                raise ConfigFileError(f"no valid rule set loaded yet: {self._last_error}")
            return self._rules

    def ready_check(self) -> None:
        """Readiness: a valid rule set is loaded."""
        self.current()

    def _reload_if_changed(self) -> None:
        try:
            # mtime and size: a same-second rewrite of a different length still counts.
            stamp = tuple(v for f in self._files for v in (f.stat().st_mtime_ns, f.stat().st_size))
        except OSError as exc:
            log.error("cannot stat rules files", extra={"error": str(exc)})
            return
        if stamp == self._stamp:
            return
        self._stamp = stamp  # a bad file is reported once, not on every check
        try:
            directory = load_directory(self._files[1])
            if self._check is not None:
                self._check(directory)
            rules = load_rules(self._files[0], directory)
        except ConfigFileError as exc:
            self._last_error = str(exc)
            metrics.rules_rejected()
            kept = self._rules.version if self._rules else None
            log.error(
                "rules file invalid, keeping the old rules",
                extra={"error": str(exc), "kept_version": kept},
            )
            return
        self._rules = rules
        metrics.rules_loaded(rules, directory.codes)
        log.info(
            "rules loaded", extra={"ruleset_version": rules.version, "rules": len(rules.rules)}
        )
