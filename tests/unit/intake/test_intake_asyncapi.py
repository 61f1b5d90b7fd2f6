"""deploy/asyncapi.yaml: every declared topic documented, every schema reference resolves, and
the file is what the code generates (so the raw payload schemas are the adapters')."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from deploy.asyncapi_build import OUT, document

ROOT = Path(__file__).resolve().parents[3]
SPEC: dict[str, Any] = yaml.safe_load(OUT.read_text())


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = SPEC
    for part in ref[2:].split("/", 2)[:3]:
        node = node[part]
    return node


def test_every_declared_topic_and_dead_letter_twin_is_a_channel() -> None:
    declared = yaml.safe_load((ROOT / "deploy/kafka/topics.yaml").read_text())["topics"]
    names = {t["name"] for t in declared} | {
        t["name"] + ".dlq" for t in declared if t.get("dead_letter")
    }
    assert SPEC["asyncapi"].startswith("2.6") and names <= set(SPEC["channels"])


def test_every_schema_reference_resolves() -> None:
    refs = set(_refs(SPEC))
    assert "#/components/schemas/DeskForm" in refs
    for ref in refs:
        assert isinstance(_resolve(ref), dict), ref


def test_raw_topics_name_the_connector_header_and_the_adapter_schema() -> None:
    message = SPEC["channels"]["intake.raw.sms"]["publish"]["message"]
    assert message["headers"]["required"] == ["aduan.connector"]
    assert _resolve(message["payload"]["$ref"])["title"] == "SmsMessage"


def test_the_file_is_up_to_date_with_the_code() -> None:
    assert document() == SPEC, "run `python -m deploy.asyncapi_build`"
