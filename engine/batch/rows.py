"""Reading data rows from CSV, JSON Lines, JSON or YAML files.

Data files come from other people (spreadsheets, web forms), so reading them is bounded like
reading a spec: a regular file of at most REELSPEC_MAX_DATA_BYTES, UTF-8 (a bad byte is
located), YAML read by the spec loader's bounded loader (aliases, nesting, number length), and
every problem a TemplateError naming the file and, where there is one, the line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.env import env_limit
from engine.errors import TemplateError, excerpt
from engine.spec.loader import (
    compose_bounded,
    decode_utf8,
    max_yaml_nodes,
    read_limited,
    yaml_issue,
)

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_DATA_BYTES = 64 * 1024 * 1024
#: A row id names the row in messages and, often, its output file.
MAX_ID_CHARS = 200


@dataclass(frozen=True)
class DataRow:
    number: int  # 1-based position in the data file
    id: str  # the row's ``id`` field when it has one, else its number
    values: dict[str, Any] = field(default_factory=dict)


def _error(
    message: str, *, file: str | None = None, line: int | None = None, column: int | None = None
) -> TemplateError:
    where = "".join(f"{part}:" for part in (file, line, column) if part is not None)
    return TemplateError(f"{where} {message}" if where else message)


def read_rows(path: Path, max_rows: int = DEFAULT_MAX_ROWS) -> tuple[list[DataRow], dict[str, Any]]:
    """The rows of a data file, and its ``vars`` (JSON/YAML files of the form
    ``{vars: {...}, rows: [...]}``)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson", ".json", ".yaml", ".yml"):
        raise TemplateError(
            f"{path}: unknown data format {excerpt(suffix)}; use .csv, .jsonl, .json or .yaml"
        )
    limit = int(env_limit("REELSPEC_MAX_DATA_BYTES", DEFAULT_MAX_DATA_BYTES))
    data = read_limited(path, limit, "data file", "REELSPEC_MAX_DATA_BYTES", _error)
    text = decode_utf8(data, str(path), _error)
    variables: dict[str, Any] = {}
    if suffix == ".csv":
        records: list[Any] = _csv_records(text, path)
    elif suffix in (".jsonl", ".ndjson"):
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                records.append(_json(line, path, number))
    else:
        loaded = _json(text, path, None) if suffix == ".json" else _yaml(text, path)
        if isinstance(loaded, dict) and "rows" in loaded:
            found = loaded.get("vars")
            if found is not None and not isinstance(found, dict):
                raise TemplateError(
                    f"{path}: vars must be a mapping of names to values, not {excerpt(found)}"
                )
            variables = {str(k): v for k, v in (found or {}).items()}
            loaded = loaded["rows"]
        if not isinstance(loaded, list):
            raise TemplateError(f"{path}: expected a list of rows (or {{vars, rows}})")
        records = loaded
    if len(records) > max_rows:
        raise TemplateError(
            f"{path}: {len(records)} rows, over the limit of {max_rows} (--max-rows)"
        )
    rows: list[DataRow] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise TemplateError(f"{path}: row {number} is not a mapping of fields")
        row_id = _row_id(record, number, path)
        if row_id in seen:
            raise TemplateError(
                f"{path}: rows {seen[row_id]} and {number} share the id {excerpt(row_id)}"
            )
        seen[row_id] = number
        rows.append(DataRow(number, row_id, {str(k): v for k, v in record.items()}))
    return rows, variables


def _row_id(record: dict[Any, Any], number: int, path: Path) -> str:
    value = record.get("id", number)
    if isinstance(value, (dict, list)) or value is None:
        raise TemplateError(
            f"{path}: row {number}: id must be a text or a number, not {excerpt(value)}"
        )
    text = str(value) if not isinstance(value, bool) else ("true" if value else "false")
    if len(text) > MAX_ID_CHARS or "\x00" in text:
        raise TemplateError(
            f"{path}: row {number}: id {excerpt(text)} is over {MAX_ID_CHARS} characters "
            "or holds a NUL"
        )
    return text


def _csv_records(text: str, path: Path) -> list[dict[str, Any]]:
    # newline="": quoted fields keep their own line breaks, as csv wants.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise TemplateError(
            f"{path}: cannot read CSV after line {reader.line_num}: {str(exc)[:200]}"
        ) from None


def _json(text: str, path: Path, line: int | None) -> Any:
    where = f"{path}:{line}" if line is not None else str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = f"{path}:{line if line is not None else exc.lineno}:{exc.colno}"
        raise TemplateError(f"{at}: cannot read JSON: {exc.msg}") from None
    except RecursionError:
        raise TemplateError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # Python's limit of 4300 digits on integers
        raise TemplateError(f"{where}: cannot read JSON: {str(exc)[:200]}") from None


def _yaml(text: str, path: Path) -> Any:
    try:
        node, loader = compose_bounded(text, max_yaml_nodes())
        try:
            return None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        issue = yaml_issue(exc, text, str(path))
        where = "".join(f"{part}:" for part in (path, issue.line, issue.column) if part)
        raise TemplateError(f"{where} cannot read YAML: {issue.message}") from None
