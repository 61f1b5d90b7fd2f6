"""`python -m services.publisher redact` as operators call it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]


def cli(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """Run the publisher's command line with `stdin`; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "services.publisher", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_redact_writes_the_public_text_unchanged_otherwise() -> None:
    done = cli("redact", stdin="Nama saya Budi 😷\nHP 0812-3456-7890, Dinas PU lambat.\n")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "Nama saya [NAMA] 😷\nHP [TELEPON], Dinas PU lambat.\n"


def test_redact_json_lists_what_was_removed_by_kind() -> None:
    done = cli("redact", "--json", stdin="NIK 3578014407900003, Pak Joko, Pak Hadi")

    answer = json.loads(done.stdout)
    assert answer["text"] == "NIK [NIK], Pak [NAMA], Pak [NAMA]"
    assert answer["removed"][0] == {"kind": "NIK", "value": "3578014407900003"}
    assert answer["by_kind"] == {"NIK": ["3578014407900003"], "NAMA": ["Joko", "Hadi"]}


def test_redact_jsonl_answers_line_by_line_in_order_with_the_reporter() -> None:
    lines = [
        {"text": "Siti lapor lagi", "reporter": {"name": "Siti Aminah"}},
        {"text": "Truk L 9231 UX buang limbah"},
        {"text": "tanpa data pribadi"},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"

    done = cli("redact", "--jsonl", stdin=stdin)

    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stderr
    assert answers == [
        {"text": "[NAMA] lapor lagi", "removed": [{"kind": "NAMA", "value": "Siti"}]},
        {"text": "Truk [PLAT] buang limbah", "removed": [{"kind": "PLAT", "value": "L 9231 UX"}]},
        {"text": "tanpa data pribadi", "removed": []},
    ]


def test_redact_jsonl_answers_a_bad_line_with_an_error_and_goes_on() -> None:
    done = cli("redact", "--jsonl", stdin='not json\n{"text": 5}\n{"text": "Bu Ani"}\n')

    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1
    assert [set(a) for a in answers] == [{"error"}, {"error"}, {"text", "removed"}]
    assert answers[1]["error"].startswith("line 2:")
    assert answers[2]["text"] == "Bu [NAMA]"


def test_json_and_jsonl_together_are_refused() -> None:
    done = cli("redact", "--json", "--jsonl", stdin="")

    assert done.returncode == 2
    assert "not allowed with" in done.stderr
