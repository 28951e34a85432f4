"""Reading data rows from CSV, JSON Lines, JSON or YAML files."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import TemplateError

DEFAULT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class DataRow:
    number: int  # 1-based position in the data file
    id: str  # the row's ``id`` field when it has one, else its number
    values: dict[str, Any] = field(default_factory=dict)


def read_rows(path: Path, max_rows: int = DEFAULT_MAX_ROWS) -> tuple[list[DataRow], dict[str, Any]]:
    """The rows of a data file, and its ``vars`` (JSON/YAML files of the form
    ``{vars: {...}, rows: [...]}``)."""
    if not path.is_file():
        raise TemplateError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    variables: dict[str, Any] = {}
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                records: list[Any] = list(csv.DictReader(handle))
        elif suffix in (".jsonl", ".ndjson"):
            records = [
                json.loads(line)
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
        elif suffix in (".json", ".yaml", ".yml"):
            text = path.read_text(encoding="utf-8")
            loaded = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
            if isinstance(loaded, dict) and "rows" in loaded:
                variables = dict(loaded.get("vars") or {})
                loaded = loaded["rows"]
            if not isinstance(loaded, list):
                raise TemplateError(f"{path}: expected a list of rows (or {{vars, rows}})")
            records = loaded
        else:
            raise TemplateError(
                f"{path}: unknown data format {suffix!r}; use .csv, .jsonl, .json or .yaml"
            )
    except (json.JSONDecodeError, yaml.YAMLError, csv.Error, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read data: {exc}") from None
    if len(records) > max_rows:
        raise TemplateError(
            f"{path}: {len(records)} rows, over the limit of {max_rows} (--max-rows)"
        )
    rows: list[DataRow] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise TemplateError(f"{path}: row {number} is not a mapping of fields")
        row_id = str(record.get("id", number))
        if row_id in seen:
            raise TemplateError(f"{path}: rows {seen[row_id]} and {number} share the id {row_id!r}")
        seen[row_id] = number
        rows.append(DataRow(number, row_id, {str(k): v for k, v in record.items()}))
    return rows, variables
