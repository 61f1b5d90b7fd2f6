"""The `explain` command-line contract (DESIGN.md §5)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from router_support import REPO, write

from services.router.__main__ import main

JSON_KEYS = ["opd", "triage", "not_competent", "rule_id", "ruleset_version", "matched"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_exactly_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "--text", "Jln rusakkk parah", "--title", "Tolong", "--region", "3578", "--json"
    )
    assert code == 0
    assert out.count("\n") == 1
    doc = json.loads(out)
    assert list(doc) == JSON_KEYS
    assert doc["opd"] == "3578-pupr" and doc["triage"] is False and doc["rule_id"] == "jalan.3578"
    assert doc["matched"] == ["region:35.78", "keyword:jalan rusak"]


def test_json_triage_has_null_opd(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "--text", "halo selamat pagi", "--json")
    doc = json.loads(out)
    assert (doc["opd"], doc["triage"], doc["not_competent"], doc["rule_id"]) == (
        None,
        True,
        False,
        None,
    )


def test_conditions_from_options(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(
        capsys, "--text", "KTP belum jadi", "--region", "35.78", "--channel", "sms", "--json"
    )
    assert json.loads(out)["opd"] == "3578-dispendukcapil"
    _, out, _ = _run(capsys, "--text", "KTP belum jadi", "--region", "35.27", "--json")
    assert json.loads(out)["triage"] is True  # Sampang is not on the pipeline
    _, out, _ = _run(capsys, "--text", "KTP belum jadi", "--json")
    assert json.loads(out)["triage"] is True  # no region: nobody to send it to


def test_human_readable_explains(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "--text", "pencurian motor di parkiran pkm", "--region", "6571")
    assert "opd.65-triage (Admin Koordinator SP4N-LAPOR! Provinsi Kalimantan Utara)" in out
    assert "not our competence" in out
    assert "forward to:      Kepolisian Negara RI" in out
    assert "bukan-wewenang.kepolisian" in out
    assert "keyword:curi" in out
    assert "normalised text: pencurian motor di parkiran puskesmas" in out


def test_custom_rules_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(tmp_path / "r.yaml", "version: x9\nrules: [{id: all, then: {opd: 65-dlh}}]\n")
    _, out, _ = _run(capsys, "--text", "apa saja", "--rules", str(rules), "--json")
    assert json.loads(out) == {
        "opd": "65-dlh",
        "triage": False,
        "not_competent": False,
        "rule_id": "all",
        "ruleset_version": "x9",
        "matched": [],
    }


def test_invalid_rules_file_exits_2_with_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = write(tmp_path / "r.yaml", "version: x\nrules: [{id: bad, then: {opd: nope}}]\n")
    code, out, err = _run(capsys, "--text", "a", "--rules", str(rules))
    assert (code, out) == (2, "")
    assert "id 'bad'" in err and "then.opd" in err


def test_jsonl_in_order_with_errors_inline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"text": "sampah numpuk", "channel": "whatsapp", "region": "3573"},
        {"title": "tanpa isi"},
        "not json",
        {
            "text": "KTP hilang",
            "region": "35.78",
            "title": "t",
            "category": "c",
            "classification": "aspirasi",
        },
        {"text": "x", "channel": "fax"},
        {"text": "halo"},
    ]
    stdin = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin + "\n"))
    code, out, _ = _run(capsys, "--jsonl")
    docs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(docs) == 6
    assert docs[0]["opd"] == "3573-dlh" and list(docs[0]) == JSON_KEYS
    assert "text" in docs[1]["error"] and docs[1]["line"] == 2
    assert "error" in docs[2] and docs[2]["line"] == 3
    assert docs[3]["opd"] == "3578-dispendukcapil"
    assert "channel" in docs[4]["error"]
    assert docs[5]["triage"] is True


def test_text_and_jsonl_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["explain"])
    assert exit_.value.code == 2
    assert "give --text" in capsys.readouterr().err


def test_as_a_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.router", "explain", "--jsonl"],
        input='{"text": "lampu merah mati", "region": "6571"}\n'
        '{"text": "antri lama di RS", "region": "3509"}\n',
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    opds = [json.loads(line)["opd"] for line in result.stdout.splitlines()]
    assert opds == ["6571-dishub", "3509-dinkes"]
