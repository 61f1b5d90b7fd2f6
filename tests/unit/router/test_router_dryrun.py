"""`dry-run`: the pure comparison, the JSONL reader and the command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from router_support import rules_from, shipped_rules, write

from services.router.__main__ import main
from services.router.decide import ComplaintFields
from services.router.dryrun import compare, read_jsonl
from shared.events import Channel, ComplaintReceived, Entry, Location, encode, new_event

CANDIDATE = """
version: cand-1
rules:
  - {id: sampah, when: {keywords: [sampah]}, then: {opd: 3578-dlh}}
  - {id: lampu, when: {keywords: [lampu merah]}, then: {opd: 3578-pupr}}
"""


def _received(text: str, day: int, region: str = "35.78") -> ComplaintReceived:
    return ComplaintReceived(
        tracking_number=f"T-{day}",
        channel=Channel.WEB,
        channel_ref=f"ref-{day}-{text[:5]}",
        received_at=datetime(2026, 3, day, 8, tzinfo=UTC),
        title="Laporan",
        body=text,
        location=Location(region_code=region),
        entry=Entry(connector_id="test"),
    )


def test_compare_counts_moves_per_opd(tmp_path: Path) -> None:
    complaints = [
        ComplaintFields(text="sampah menumpuk", region="3578"),  # dlh -> dlh: unchanged
        ComplaintFields(text="lampu merah mati", region="3578"),  # dishub -> pupr
        ComplaintFields(text="KTP belum jadi", region="3578"),  # dispendukcapil -> triage
    ]
    report = compare(complaints, shipped_rules(), rules_from(tmp_path, CANDIDATE))
    assert (report.total, report.changed, report.rule_changed) == (3, 2, 1)
    assert report.moved_out == {"3578-dishub": 1, "3578-dispendukcapil": 1}
    assert report.moved_in == {"3578-pupr": 1, "35-triage": 1}
    assert report.newly_triaged == {"3578-dispendukcapil": 1}


def test_reader_takes_events_and_payloads_and_filters_by_date() -> None:
    event = encode(new_event(_received("sampah", 2), complaint_id="c-1", source="/test")).decode()
    payload = _received("lampu merah", 9).model_dump_json()
    fields = list(read_jsonl([event, "", payload], since=datetime(2026, 3, 5, tzinfo=UTC)))
    assert [f.text for f in fields] == ["lampu merah"]
    assert len(list(read_jsonl([event, payload]))) == 2
    with pytest.raises(ValueError, match="line 1"):
        list(read_jsonl(['{"text": "not a received complaint"}']))


def test_command_prints_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "past.jsonl"
    source.write_text(
        "\n".join(_received(t, d).model_dump_json() for t, d in [("lampu merah", 1), ("x", 2)])
    )
    rules = write(tmp_path / "cand.yaml", CANDIDATE)
    code = main(["dry-run", "--rules", str(rules), "--source", str(source), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["total"] == 2 and report["changed"] == 1
    assert report["per_opd"]["3578-dishub"] == {"moved_in": 0, "moved_out": 1, "newly_triaged": 0}


def test_command_table_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(tmp_path / "cand.yaml", CANDIDATE)
    source = write(tmp_path / "in.jsonl", _received("lampu merah", 1).model_dump_json() + "\n")
    assert main(["dry-run", "--rules", str(rules), "--source", str(source)]) == 0
    out = capsys.readouterr().out
    assert "1 complaints, 1 would change queue" in out and "3578-pupr" in out
    bad = write(tmp_path / "bad.jsonl", "{oops\n")
    assert main(["dry-run", "--rules", str(rules), "--source", str(bad)]) == 3
    assert "line 1" in capsys.readouterr().err
