from __future__ import annotations

import json
from pathlib import Path

from engine.spec.schema import spec_schema_text

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_is_up_to_date() -> None:
    committed = (ROOT / "schemas" / "reelspec.schema.json").read_text(encoding="utf-8")
    assert committed == spec_schema_text(), "schema is stale: run `reelspec schema`"


def test_example_specs_point_editors_at_the_schema() -> None:
    for spec in sorted((ROOT / "specs").glob("*.yaml")):
        first = spec.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schemas/reelspec.schema.json", spec


def test_schema_is_valid_json_with_an_id() -> None:
    schema = json.loads(spec_schema_text())
    assert schema["$id"].endswith("reelspec.schema.json")
    assert schema["required"] == ["version", "output", "scenes"]
