"""The JSON Schema of the spec, generated from the models (editors autocomplete with it)."""

from __future__ import annotations

import json
from typing import Any

from engine.spec.models import Spec

SCHEMA_ID = "https://reelspec.dev/schemas/reelspec.schema.json"


def spec_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "reelspec spec (version 1)",
    }


def spec_schema_text() -> str:
    return json.dumps(spec_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
