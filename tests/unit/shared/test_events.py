"""The event contract: golden samples keep parsing, schemas stay backward compatible."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from shared.events import (
    EVENT_TYPES,
    CaseResolved,
    CaseResolvedV2,
    ComplaintResolved,
    FollowUpPosted,
    decode,
    encode,
    follow,
    new_event,
)
from shared.events.schemas import (
    FROZEN_DIR,
    SCHEMA_DIR,
    breaking_changes,
    current_schemas,
    digest,
    freeze_new_versions,
    pinned_hashes,
)

GOLDEN = Path(__file__).parents[2] / "golden"
EVERY_VERSION = [f"{t}.v{v}.json" for t, versions in EVENT_TYPES.items() for v in versions]


@pytest.mark.parametrize("name", EVERY_VERSION)
def test_golden_sample_of_every_event_version_still_parses(name: str) -> None:
    raw = (GOLDEN / name).read_bytes()
    event = decode(raw)
    assert f"{event.type}.v{event.dataversion}.json" == name
    assert event.specversion == "1.0"
    assert_kept(orjson.loads(raw), orjson.loads(encode(event)))


def test_case_resolved_v1_and_v2_are_both_case_resolved_for_consumers() -> None:
    v1 = decode((GOLDEN / "id.aduan.case.resolved.v1.json").read_bytes())
    v2 = decode((GOLDEN / "id.aduan.case.resolved.v2.json").read_bytes())
    assert type(v1.data) is CaseResolved, "an old event stays version 1"
    assert isinstance(v2.data, CaseResolvedV2) and isinstance(v2.data, CaseResolved)
    assert v2.data.follow_ups[0].kind == v1.data.follow_ups[0].kind == "substantive"


def test_case_resolved_v2_requires_the_judgement() -> None:
    raw = orjson.loads((GOLDEN / "id.aduan.case.resolved.v2.json").read_bytes())
    del raw["data"]["follow_ups"][0]["judged_kind"]
    with pytest.raises(ValidationError, match="judged_kind"):
        decode(orjson.dumps(raw))


def assert_kept(old: object, new: object, path: str = "$") -> None:
    """Every value of the old event survives a decode and encode (new fields may be added)."""
    if isinstance(old, dict):
        assert isinstance(new, dict), path
        for key, value in old.items():
            assert key in new, f"{path}.{key} lost"
            assert_kept(value, new[key], f"{path}.{key}")
    elif isinstance(old, list):  # items are kept one by one: they may gain new fields too
        assert isinstance(new, list) and len(new) == len(old), path
        for index, (item, kept) in enumerate(zip(old, new, strict=True)):
            assert_kept(item, kept, f"{path}[{index}]")
    else:
        assert old == new, path


@pytest.mark.parametrize("name", EVERY_VERSION)
def test_committed_schema_matches_the_models(name: str) -> None:
    committed = orjson.loads((SCHEMA_DIR / name).read_bytes())
    assert committed == current_schemas()[name], "run: python -m shared.events.schemas"


@pytest.mark.parametrize("name", EVERY_VERSION)
def test_every_version_is_frozen_and_the_models_still_accept_what_it_allowed(name: str) -> None:
    frozen = FROZEN_DIR / name
    assert frozen.exists(), "a new version: run python -m shared.events.schemas --freeze"
    problems = breaking_changes(orjson.loads(frozen.read_bytes()), current_schemas()[name])
    assert problems == [], f"breaking change to a released version; make a new version: {problems}"


def test_frozen_schemas_are_never_edited() -> None:
    pinned = pinned_hashes()
    files = {path.name for path in FROZEN_DIR.glob("*.json")}
    assert files == set(pinned), "a frozen file is missing or unpinned"
    edited = sorted(name for name in files if digest(FROZEN_DIR / name) != pinned[name])
    assert edited == [], f"frozen schemas were edited (make a new version instead): {edited}"


def test_freezing_never_touches_a_frozen_file(tmp_path: Path) -> None:
    first = freeze_new_versions(tmp_path)
    assert {p.name for p in first} == set(EVERY_VERSION)
    (tmp_path / EVERY_VERSION[0]).write_text("{}")  # someone edits a released schema
    assert freeze_new_versions(tmp_path) == []
    pinned = pinned_hashes(tmp_path / "FROZEN.sha256")
    assert digest(tmp_path / EVERY_VERSION[0]) != pinned[EVERY_VERSION[0]]


def test_removing_a_field_is_breaking() -> None:
    old = current_schemas()["id.aduan.complaint.resolved.v1.json"]
    new = copy.deepcopy(old)
    del new["$defs"]["ComplaintResolved"]["properties"]["resolved_by"]
    assert breaking_changes(old, new) == ["$.$defs.ComplaintResolved.resolved_by: removed"]


def test_making_a_field_required_is_breaking() -> None:
    old = current_schemas()["id.aduan.complaint.resolved.v1.json"]
    new = copy.deepcopy(old)
    new["$defs"]["ComplaintResolved"]["required"].append("resolved_by")
    assert breaking_changes(old, new) == ["$.$defs.ComplaintResolved.resolved_by: newly required"]


def test_narrowing_a_type_or_enum_is_breaking() -> None:
    old = current_schemas()["id.aduan.complaint.assigned.v1.json"]
    new = copy.deepcopy(old)
    new["$defs"]["Classification"]["enum"].remove("aspirasi")
    new["$defs"]["ComplaintAssigned"]["properties"]["rule_id"] = {"type": "integer"}
    problems = breaking_changes(old, new)
    assert "$.$defs.Classification: enum values removed" in problems
    assert any(p.startswith("$.$defs.ComplaintAssigned.rule_id: type") for p in problems)


def test_adding_an_optional_field_is_compatible() -> None:
    old = current_schemas()["id.aduan.complaint.resolved.v1.json"]
    new = copy.deepcopy(old)
    new["$defs"]["ComplaintResolved"]["properties"]["note"] = {"type": "string"}
    assert breaking_changes(old, new) == []


def test_follow_keeps_case_and_correlation() -> None:
    now = datetime.now(UTC)
    first = new_event(
        ComplaintResolved(opd_code="dinkes", resolution="selesai", resolved_at=now),
        complaint_id="c-1",
        source="/test",
    )
    second = follow(
        first,
        FollowUpPosted(opd_code="dinkes", text="ok", kind="normative", posted_at=now),
        source="/t",
    )
    assert first.correlation_id == first.id
    assert (second.subject, second.correlation_id) == ("c-1", first.id)
    assert second.id != first.id


def test_envelope_uses_cloudevents_attribute_names() -> None:
    event = orjson.loads((GOLDEN / "id.aduan.complaint.assigned.v1.json").read_bytes())
    assert {
        "id",
        "source",
        "type",
        "specversion",
        "time",
        "subject",
        "correlationid",
        "dataversion",
    } <= set(event)


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"type": "id.aduan.unknown", "specversion": "1.0"}',
        b'{"type": "id.aduan.complaint.resolved", "dataversion": 9}',
    ],
)
def test_undecodable_records_raise_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        decode(raw)


def test_a_naive_timestamp_is_rejected() -> None:
    doc = orjson.loads((GOLDEN / "id.aduan.complaint.resolved.v1.json").read_bytes())
    doc["time"] = "2026-03-02T01:30:00"
    with pytest.raises(ValidationError, match="timezone"):
        decode(orjson.dumps(doc))
