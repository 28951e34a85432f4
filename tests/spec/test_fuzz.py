"""Property-based fuzzing: specs generated from the JSON Schema and mutated example specs go
through loading, validation and (where cheap) resolving, and nothing but a UserError (a
SpecError with a location, mostly) may come out.

Two sources, 1,000 examples each (about 55 s in all on one core of a busy machine):

* specs drawn from ``schemas/reelspec.schema.json``: objects, unions and lists are built here
  from the schema, every leaf value comes from hypothesis-jsonschema's ``from_schema`` (it
  builds whole objects far too slowly: a scene took half a second, as it re-merges schemas on
  every draw);
* the specs in ``specs/*.yaml`` with random keys deleted and values swapped for hostile ones
  (huge, negative, infinite and NaN numbers, long strings, wrong types, deep nesting), then
  written out and mutated again as text (lines duplicated or dropped: duplicate keys, broken
  indentation).

Specs that validate are resolved against an empty folder (media are missing: a SpecError),
with the frame and text cards held small through the environment so drawing stays cheap.
Specs with narration are not resolved (speech synthesis runs a child process per spec).
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from engine.errors import UserError
from engine.spec.loader import load_spec_text

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "reelspec.schema.json").read_text(encoding="utf-8"))
EXAMPLES = {
    path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "specs").glob("*.yaml"))
}
EXAMPLES_PER_TEST = 1000

FUZZ = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# --- specs from the schema ----------------------------------------------------------------------

_ANNOTATIONS = {"discriminator", "examples", "description", "title", "default"}


def _resolve_ref(node: dict[str, Any]) -> dict[str, Any]:
    name = node["$ref"].rsplit("/", 1)[-1]
    return SCHEMA["$defs"][name]


def _schema_strategy(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Objects, unions and lists assembled here (a list holds at most 3 items: the fuzz is
    about shapes and values, not sizes); every leaf drawn by ``from_schema``."""
    if "$ref" in node:
        return _schema_strategy(_resolve_ref(node))
    for union in ("anyOf", "oneOf"):
        if union in node:
            return st.one_of([_schema_strategy(option) for option in node[union]])
    kind = node.get("type")
    if kind == "object" and "properties" in node:
        properties = node["properties"]
        required = set(node.get("required", ()))
        return st.fixed_dictionaries(
            {name: _schema_strategy(properties[name]) for name in sorted(required)},
            optional={
                name: _schema_strategy(sub)
                for name, sub in sorted(properties.items())
                if name not in required
            },
        )
    if kind == "array" and "prefixItems" in node:  # a tuple (hypothesis-jsonschema predates it)
        return st.tuples(*(_schema_strategy(item) for item in node["prefixItems"])).map(list)
    if kind == "array" and isinstance(node.get("items"), dict):
        low = node.get("minItems", 0)
        return st.lists(
            _schema_strategy(node["items"]),
            min_size=low,
            max_size=max(low, min(node.get("maxItems", 3), 3)),
        )
    leaf = {key: value for key, value in node.items() if key not in _ANNOTATIONS}
    return from_schema(leaf)


# --- mutated example specs -------------------------------------------------------------------

HOSTILE_VALUES: list[Any] = [
    0,
    -1,
    -(10**30),
    10**30,
    2**63,
    10**400,
    1e308,
    -1e308,
    5e-324,
    math.inf,
    -math.inf,
    math.nan,
    "1e5000",
    "-.inf",
    ".nan",
    "",
    " ",
    "x" * 10_000,
    "a" * 300 + ".png",
    "../" * 50 + "x.png",
    "nul\x00byte",
    "\u202eevil",
    "line\x1ebreak\u2029para\x85graph\rend",
    "a\u0301\u0302\u0303\u0304" * 200,
    "😀" * 100,
    "%n%s%x{0}{{ 7*7 }}",
    "30000/0",
    "1/99999999999999999999999",
    "99999x99999",
    "0x0",
    True,
    None,
    [],
    {},
    [1, 2, 3],
    {"type": "text"},
    {"unknown": 1},
]


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    data = copy.deepcopy(EXAMPLES[name])
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["delete", "hostile", "hostile", "deep", "retype"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "hostile":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
        elif action == "deep":
            parent[path[-1]] = _deep(draw(st.sampled_from([5, 60, 150])))
        else:  # the same value in another type: a number as text, a mapping in a list...
            value = parent[path[-1]]
            parent[path[-1]] = [value] if draw(st.booleans()) else str(value)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 2))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        if draw(st.booleans()):
            lines.insert(at, lines[at])  # a duplicate key (or list item)
        else:
            del lines[at]
    return "\n".join(lines) + "\n"


# --- the property ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with no media in it, and small limits on what resolving may draw."""
    limits = {
        "REELSPEC_MAX_SIDE": "1280",
        "REELSPEC_MAX_CARD_PIXELS": str(1280 * 720),
        "REELSPEC_MAX_ANIMATED_FRAMES": "100",
        "REELSPEC_MAX_ANIMATED_PIXELS": str(20 * 1280 * 720),
    }
    saved = {name: os.environ.get(name) for name in limits}
    os.environ.update(limits)
    yield tmp_path_factory.mktemp("fuzz")
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def check(text: str, folder: Path) -> None:
    """Load, validate and (without narration) resolve; only UserErrors may come out."""
    from engine.resolve.resolver import resolve

    try:
        loaded = load_spec_text(text, file="fuzz.yaml", base_dir=folder)
        if any(scene.narration is not None for scene in loaded.spec.scenes):
            return
        resolve(loaded)
    except UserError as exc:
        message = str(exc)
        assert "Traceback" not in message
        assert len(message) < 100_000, "an error message quoted far too much"


#: An output block that validates: half the generated specs get it, so that more of them
#: pass the cross-field checks (codec and container, even sizes, the frame limit) and reach
#: the resolver.
PLAIN_OUTPUT = {"path": "out.mp4", "size": "320x180", "fps": 25}


@FUZZ
@given(data=_schema_strategy(SCHEMA), plain_output=st.booleans())
def test_specs_generated_from_the_schema(data: Any, plain_output: bool, empty_folder: Path) -> None:
    if plain_output:
        data["output"] = PLAIN_OUTPUT
    check(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), empty_folder)


@FUZZ
@given(text=mutated_specs())
def test_mutated_example_specs(text: str, empty_folder: Path) -> None:
    check(text, empty_folder)
