"""Load a spec from YAML, keeping the source location of every value.

Errors from YAML and from pydantic are translated here into :class:`SpecIssue` objects that
point at ``file:line:column`` with a dotted path, an expectation, and a did-you-mean.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pydantic
import yaml

from engine.errors import SpecError, SpecIssue
from engine.spec.models import Spec

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each value (and each mapping key) of a YAML document was written."""

    file: str | None
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path``, or of its nearest located ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        if probe in table:
            return table[probe]
        while probe:
            probe = probe[:-1]
            if probe in self.values:
                return self.values[probe]
        return None, None

    def issue(self, path: PathKey, message: str, *, key: bool = False) -> SpecIssue:
        line, column = self.locate(path, key=key)
        return SpecIssue(message, format_path(path), self.file, line, column)


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec plus what is needed to report later problems against its source."""

    spec: Spec
    source: SourceMap
    base_dir: Path
    text: str


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_spec(path: str | Path) -> LoadedSpec:
    spec_path = Path(path)
    try:
        text = spec_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecIssue(f"spec file not found: {spec_path}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([SpecIssue(f"cannot read spec file {spec_path}: {exc}")]) from None
    return load_spec_text(text, file=str(spec_path), base_dir=spec_path.resolve().parent)


def load_spec_text(
    text: str,
    *,
    file: str | None = None,
    base_dir: Path | None = None,
    transform: Callable[[Any], Any] | None = None,
) -> LoadedSpec:
    """Parse and validate spec text. ``transform`` may rewrite the parsed data first (the
    template engine puts row values in there, after YAML parsing, so they stay data)."""
    data, source = parse_yaml(text, file)
    if transform is not None:
        data = transform(data)
    spec = validate(data, source)
    return LoadedSpec(spec, source, base_dir or Path.cwd(), text)


def parse_yaml(text: str, file: str | None) -> tuple[Any, SourceMap]:
    source = SourceMap(file)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise SpecError([SpecIssue("the spec is empty", file=file, line=1, column=1)])
            duplicates: list[SpecIssue] = []
            _walk(node, (), source, duplicates)
            if duplicates:
                raise SpecError(duplicates)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SpecError(
            [SpecIssue(f"YAML syntax error: {problem}", "", file, line, column)]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError([SpecIssue(f"YAML error: {exc}", "", file)]) from None
    if not isinstance(data, dict):
        raise SpecError([source.issue((), "a spec is a mapping with version, output and scenes")])
    return data, source


def _walk(node: yaml.Node, path: PathKey, source: SourceMap, problems: list[SpecIssue]) -> None:
    source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                problems.append(
                    SpecIssue(
                        f"duplicate key {key!r}", format_path(child), source.file, line, column
                    )
                )
            seen.add(key)
            source.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, child, source, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), source, problems)


# --- pydantic errors → SpecIssues -------------------------------------------------------------


def validate(data: Any, source: SourceMap) -> Spec:
    try:
        return Spec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise SpecError(translate_errors(exc, data, source)) from None


def translate_errors(
    exc: pydantic.ValidationError, data: Any, source: SourceMap
) -> list[SpecIssue]:
    grouped: dict[PathKey, list[str]] = {}
    key_errors: set[PathKey] = set()
    for error in exc.errors(include_url=False):
        path = _data_path(error["loc"], data)
        if error["type"] == "union_tag_invalid":
            path = (*path, "type")  # point at the bad type name itself
        message = _message(error, path, data)
        if error["type"] == "extra_forbidden":
            key_errors.add(path)
        messages = grouped.setdefault(path, [])
        if message not in messages:
            messages.append(message)
    issues = [
        source.issue(path, " or ".join(messages), key=path in key_errors)
        for path, messages in grouped.items()
    ]
    return sorted(issues, key=lambda i: (i.line or 0, i.column or 0, i.path))


def _data_path(loc: tuple[int | str, ...], data: Any) -> PathKey:
    """Drop the union-member names pydantic puts in ``loc`` so the path matches the YAML."""
    path: list[str | int] = []
    current = data
    tag_skipped_for: Any = None
    for part in loc:
        if isinstance(current, dict):
            # A tagged union puts the tag right after the item; a field may share its name.
            if current.get("type") == part and tag_skipped_for is not current:
                tag_skipped_for = current
                continue
            if part in current:
                path.append(part)
                current = current[part]
            elif isinstance(part, str) and (
                part[:1].isupper() or "[" in part or part.startswith("function-")
            ):
                continue
            else:
                path.append(part)
                current = None
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(part, str) and (part[:1].isupper() or "[" in part):
            continue
        else:
            path.append(part)
            current = None
    return tuple(path)


def _value_at(data: Any, path: PathKey) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _message(error: Any, path: PathKey, data: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(path[:-1], data)
        return (
            f"unknown key {key!r}"
            + _did_you_mean(key, allowed)
            + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else "")
        )
    if kind == "missing":
        return f"missing required key {str(path[-1])!r}"
    if kind == "literal_error":
        options = [
            o.strip().strip("'\"")
            for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")
        ]
        return f"expected one of {', '.join(options)} (got {got!r})" + _did_you_mean(
            str(got), options
        )
    if kind == "union_tag_invalid":
        options = [o.strip().strip("'\"") for o in str(ctx.get("expected_tags", "")).split(",")]
        tag = ctx.get("tag")
        return f"unknown type {tag!r}; expected one of {', '.join(options)}" + _did_you_mean(
            str(tag), options
        )
    if kind == "union_tag_not_found":
        return "missing required key 'type'"
    text = str(error.get("msg", kind))
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if kind not in ("value_error",) and got is not None and not isinstance(got, (dict, list)):
        text += f" (got {got!r})"
    return text


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _allowed_keys(path: PathKey, data: Any) -> set[str]:
    model = _model_at(path, data)
    if model is None:
        return set()
    keys = set()
    for name, info in model.model_fields.items():
        keys.add(info.alias or name)
    return keys


def _model_at(path: PathKey, data: Any) -> type[pydantic.BaseModel] | None:
    """The pydantic model that validates the mapping at ``path`` (for did-you-mean lists)."""
    annotation: Any = Spec
    current = data
    for part in path:
        model = _pick_model(annotation, current)
        if model is not None:
            fields = {info.alias or name: info for name, info in model.model_fields.items()}
            if not isinstance(part, str) or part not in fields:
                return None
            annotation = fields[part].annotation
        else:
            inner = _list_item(annotation)
            if inner is None or not isinstance(part, int):
                return None
            annotation = inner
        current = _value_at(current, (part,))
    return _pick_model(annotation, current)


def _candidates(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(annotation):
            out.extend(_candidates(arg))
        return out
    return [annotation]


def _pick_model(annotation: Any, value: Any) -> type[pydantic.BaseModel] | None:
    models = [
        c
        for c in _candidates(annotation)
        if isinstance(c, type) and issubclass(c, pydantic.BaseModel)
    ]
    if len(models) > 1 and isinstance(value, dict):
        for model in models:
            tag = model.model_fields.get("type")
            if tag is not None and value.get("type") in get_args(tag.annotation):
                return model
    return models[0] if len(models) == 1 else None


def _list_item(annotation: Any) -> Any:
    for candidate in _candidates(annotation):
        if get_origin(candidate) is list:
            return get_args(candidate)[0]
    return None
