"""Reloading rules without a restart; an invalid new file keeps the old rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from router_support import OPD_FILE, directory, write

from services.router.config import Settings
from services.router.loading import ConfigFileError
from services.router.service import build_store
from services.router.store import RulesStore

V1 = "version: '1'\nrules: [{id: a, when: {keywords_any: [jalan]}, then: {opd: 3578-pupr}}]\n"
V2 = "version: '2'\nrules: [{id: b, when: {keywords_any: [jalan]}, then: {opd: 3578-dishub}}]\n"
BROKEN = "version: '3'\nrules: [{id: c, then: {opd: nowhere}}]\n"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _touch_later(path: Path, text: str) -> None:
    """Rewrite `path` and move its mtime forward, as a later edit would."""
    before = path.stat().st_mtime_ns
    write(path, text)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Clock, RulesStore]:
    rules = write(tmp_path / "rules.yaml", V1)
    clock = Clock()
    return rules, clock, RulesStore(rules, OPD_FILE, check_interval_s=5, clock=clock)


def test_reload_after_interval_when_file_changes(setup: tuple[Path, Clock, RulesStore]) -> None:
    rules, clock, store = setup
    assert store.current().version == "1"
    _touch_later(rules, V2)
    clock.now = 4.9
    assert store.current().version == "1"  # not checked again yet
    clock.now = 5.0
    assert store.current().version == "2"


def test_invalid_new_file_keeps_old_rules(
    setup: tuple[Path, Clock, RulesStore], caplog: pytest.LogCaptureFixture
) -> None:
    rules, clock, store = setup
    assert store.current().version == "1"
    _touch_later(rules, BROKEN)
    clock.now = 10
    assert store.current().version == "1"
    assert "keeping the old rules" in caplog.text
    store.ready_check()  # still ready: valid rules are loaded
    _touch_later(rules, V2)
    clock.now = 20
    assert store.current().version == "2"  # a fixed file is picked up


def test_never_valid_raises_and_is_not_ready(tmp_path: Path) -> None:
    store = RulesStore(write(tmp_path / "rules.yaml", BROKEN), OPD_FILE, check_interval_s=0)
    with pytest.raises(ConfigFileError):
        store.ready_check()


def test_a_directory_naming_a_topic_the_cluster_lacks_is_refused_and_the_old_set_stays(
    tmp_path: Path,
) -> None:
    rules = write(tmp_path / "rules.yaml", V1)
    opds = write(tmp_path / "opd.yaml", OPD_FILE.read_text(encoding="utf-8"))
    settings = Settings(rules_file=rules, opd_file=opds, rules_check_interval_s=0)
    declared = {settings.topics.opd(opd.code) for opd in directory().opds}
    store = build_store(settings, lambda: declared)
    version = store.current().version

    text = opds.read_text(encoding="utf-8").replace("code: 3578-dlh", "code: 3578-dlhk", 1)
    _touch_later(opds, text)
    _touch_later(rules, V2)
    assert store.current().version == version, "the unknown opd.3578-dlhk keeps the old set"

    with pytest.raises(ConfigFileError, match=r"1 OPD topics not declared.*opd\.3578-dlhk"):
        build_store(settings, lambda: declared)
