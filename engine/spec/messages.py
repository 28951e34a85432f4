"""Pydantic's validation errors as located issues: the path as written in the YAML (without
the union-member names pydantic adds), one message per place, and a did-you-mean for
unknown keys, literals and type names."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable
from typing import Any, Union, get_args, get_origin

import pydantic

from engine.errors import SpecIssue, capped, excerpt
from engine.spec.models import Spec
from engine.spec.source_map import PathKey, SourceMap


def shorten(text: object, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message (errors can quote whole values)."""
    value = str(text)
    return value if len(value) <= limit else value[:limit] + f"… ({len(value)} characters)"


def translate_errors(
    exc: pydantic.ValidationError, data: Any, source: SourceMap
) -> list[SpecIssue]:
    grouped: dict[PathKey, list[str]] = {}
    key_errors: set[PathKey] = set()
    for error in exc.errors(include_url=False):
        path = _data_path(error["loc"], data)
        if error["type"] == "union_tag_invalid":
            path = (*path, _discriminator(error))  # point at the bad type name itself
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
    issues.sort(key=lambda i: (i.line or 0, i.column or 0, i.path))
    return capped(issues)


def _discriminator(error: Any) -> str:
    """The key that picks a union member (``type`` for layers, ``kind`` for motions)."""
    return str((error.get("ctx") or {}).get("discriminator", "type")).strip("'\"") or "type"


#: Names pydantic gives the plain members of a union (``int | list[float]``) in error paths.
_MEMBER_LABEL = re.compile(r"^(constrained-)?(int|float|str|bool|bytes|none|list|dict|tuple)$")


def _data_path(loc: tuple[int | str, ...], data: Any) -> PathKey:
    """Drop the union-member names pydantic puts in ``loc`` so the path matches the YAML."""
    path: list[str | int] = []
    current = data
    tag_skipped_for: Any = None
    for part in loc:
        if isinstance(current, dict):
            # A tagged union puts the tag right after the item; a field may share its name.
            tagged = current.get("type") == part or current.get("kind") == part
            if tagged and tag_skipped_for is not current:
                tag_skipped_for = current
                continue
            if part in current:
                path.append(part)
                current = current[part]
            elif isinstance(part, str) and _member_label(part):
                continue
            else:
                path.append(part)
                current = None
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(part, str) and _member_label(part):
            continue
        else:
            path.append(part)
            current = None
    return tuple(path)


def _member_label(part: str) -> bool:
    return (
        part[:1].isupper()
        or "[" in part
        or part.startswith("function-")
        or bool(_MEMBER_LABEL.match(part))
    )


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
            f"unknown key {excerpt(key)}"
            + did_you_mean(key, allowed)
            + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else "")
        )
    if kind == "missing":
        return f"missing required key {excerpt(str(path[-1]))}"
    if kind == "literal_error":
        options = [
            o.strip().strip("'\"")
            for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")
        ]
        return f"expected one of {', '.join(options)} (got {excerpt(got)})" + did_you_mean(
            got, options
        )
    if kind == "union_tag_invalid":
        options = [o.strip().strip("'\"") for o in str(ctx.get("expected_tags", "")).split(",")]
        tag = ctx.get("tag")
        field = _discriminator(error)
        return f"unknown {field} {excerpt(tag)}; expected one of {', '.join(options)}" + (
            did_you_mean(tag, options)
        )
    if kind == "union_tag_not_found":
        return "missing required key 'type'"
    text = str(error.get("msg", kind))
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = shorten(text, 300)  # validators quote values as excerpts; this bounds the rest
    if kind not in ("value_error",) and got is not None and not isinstance(got, (dict, list)):
        text += f" (got {excerpt(got)})"
    return text


def did_you_mean(word: object, options: Iterable[str]) -> str:
    if not isinstance(word, str) or len(word) > 64:  # no option is that long
        return ""
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
