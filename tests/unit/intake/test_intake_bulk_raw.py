"""Import rows (pure) and the raw-topic handler over the in-memory store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from fake_store import FakeRepository, MemoryPartStore
from pymongo.errors import AutoReconnect

from services.intake.adapters import ADAPTERS
from services.intake.bulk import detect_format, file_id, read_rows
from services.intake.connectors import Connector
from services.intake.raw import RawIntake, UnknownConnector
from shared.kafka.records import Received, Refused

CSV = b"\xef\xbb\xbfref,officer_id,title,body,location.lat,anonymous,tags\nR-1,n1,T,B,-7.5,ya,a; b\n,n1,T,B,,,\n,n1,T,B,x,,\n"


def test_csv_rows_nest_convert_and_get_stable_refs() -> None:
    rows = list(read_rows(CSV, "csv", "walkin"))
    assert rows[0].ref == "R-1" and rows[0].body is not None
    assert rows[0].body["location"] == {"lat": -7.5} and rows[0].body["anonymous"] is True
    assert rows[0].body["tags"] == ["a", "b"] and rows[0].body["form_id"] == "R-1"
    assert rows[1].ref == f"{file_id(CSV)}:2"
    assert rows[2].body is None and "location.lat" in (rows[2].error or "")
    assert [r.ref for r in read_rows(CSV, "csv", "walkin")] == [r.ref for r in rows]


def test_jsonl_rows_and_format_detection() -> None:
    data = b'{"call_id": "c-1"}\n\nnot json\n[1]\n'
    rows = list(read_rows(data, "jsonl", "callcenter"))
    assert rows[0].ref == "c-1" and len(rows) == 3
    assert rows[1].error and rows[1].error.startswith("not JSON") and rows[2].body is None
    assert detect_format("x.JSONL", None) == "jsonl" and detect_format("x.csv", None) == "csv"
    assert detect_format("x.csv", "jsonl") == "jsonl"


def _record(
    value: bytes | None, connector: bytes | None = b"wa-1", topic: str = "raw.walkin"
) -> Any:
    hdrs = [("aduan.connector", connector)] if connector is not None else []
    return SimpleNamespace(topic=topic, value=value, headers=hdrs, key=b"k", partition=0, offset=0)


@pytest.fixture(params=["one by one", "side by side"])
def intake(request: pytest.FixtureRequest) -> Iterator[RawIntake]:
    pool = ThreadPoolExecutor(4) if request.param == "side by side" else None
    yield RawIntake(
        adapters={"raw.walkin": ADAPTERS["walkin"], "raw.sms": ADAPTERS["sms"]},
        connectors={"wa-1": Connector(region="35")},
        repo=FakeRepository(),  # type: ignore[arg-type]
        state=SimpleNamespace(sms_parts=MemoryPartStore()),
        pool=pool,
    )
    if pool is not None:
        pool.shutdown()


class DownRepository(FakeRepository):
    """A store that is away: every insert fails as pymongo does."""

    def insert(self, complaint: Any) -> None:
        raise AutoReconnect("connection refused")


def test_a_store_outage_is_raised_after_the_whole_batch_was_tried(intake: RawIntake) -> None:
    down = replace(intake, repo=DownRepository())  # type: ignore[arg-type]
    good = json.dumps({"form_id": "F9", "officer_id": "o", "title": "T", "body": "B"}).encode()
    batch = [Received(_record(b"{"), b"{"), Received(_record(good), good)]
    with pytest.raises(AutoReconnect):  # the loop holds the batch: nothing dead-lettered
        down.handle(batch)


def test_raw_handler_accepts_once_and_refuses_what_it_cannot_read(intake: RawIntake) -> None:
    good = json.dumps({"form_id": "F1", "officer_id": "o", "title": "T", "body": "B"}).encode()
    batch = [
        Received(_record(good), good),
        Received(_record(good), good),
        Received(_record(b"{"), b"{"),
        Received(_record(good, connector=None), good),
        Received(_record(good, topic="raw.fax"), good),
    ]
    results = intake.handle(batch)
    assert [type(r.error).__name__ for r in results if isinstance(r, Refused)] == [
        "ValidationError", "UnknownConnector", "Unreadable",
    ]  # fmt: skip
    [stored] = intake.repo.complaints.values()  # type: ignore[attr-defined]
    assert stored.complaint["location"]["region_code"] == "35"
    with pytest.raises(UnknownConnector, match="not configured"):
        intake.connector_of(_record(good, connector=b"stranger"))


def test_raw_sms_part_waits_for_the_rest(intake: RawIntake) -> None:
    part = {"message_id": "m1", "gateway_id": "g", "msisdn": "081234567890", "text": "a",
            "received_at": "2025-03-04T08:00:00+07:00", "concat": {"ref": 1, "part": 1, "total": 2}}  # fmt: skip
    raw = json.dumps(part).encode()
    assert intake.accept_record(_record(raw, topic="raw.sms")) is None
