"""Parsing spec YAML with the bounded loader while recording in a :class:`SourceMap` where
every value and key was written; duplicate keys and keys that are not text are refused here,
located."""

from __future__ import annotations

from typing import Any

import yaml

from engine.errors import SpecError, SpecIssue, capped, excerpt
from engine.spec.source_map import PathKey, SourceMap, format_path
from engine.spec.yaml_bounded import compose_bounded, max_spec_bytes, max_yaml_nodes, yaml_issue


def spec_error(
    message: str, *, file: str | None = None, line: int | None = None, column: int | None = None
) -> SpecError:
    return SpecError([SpecIssue(message, "", file, line, column)])


def parse_yaml(text: str, file: str | None) -> tuple[Any, SourceMap]:
    source = SourceMap(file)
    limit = max_spec_bytes()
    if len(text) > limit:  # characters ≥ bytes / 4; the precise byte count only when close
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise spec_error(
                f"the spec is {size} bytes, over the limit of {limit} "
                "(raise it with REELSPEC_MAX_SPEC_BYTES)",
                file=file,
            )
    try:
        node, loader = compose_bounded(text, max_yaml_nodes())
        try:
            if node is None:
                raise SpecError([SpecIssue("the spec is empty", file=file, line=1, column=1)])
            duplicates: list[SpecIssue] = []
            _walk(node, (), source, duplicates)
            if duplicates:
                raise SpecError(capped(duplicates))
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise SpecError([yaml_issue(exc, text, file)]) from None
    if not isinstance(data, dict):
        raise SpecError([source.issue((), "a spec is a mapping with version, output and scenes")])
    return data, source


def _walk(
    node: yaml.Node,
    path: PathKey,
    source: SourceMap,
    problems: list[SpecIssue],
    first: dict[int, PathKey] | None = None,
) -> None:
    # Recursion depth is bounded by MAX_YAML_DEPTH; an aliased collection is walked once and
    # later uses only link to it (walking every use is what hung on alias bombs).
    first = {} if first is None else first
    source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return
    earlier = first.get(id(node))
    if earlier is not None:
        source.links[path] = earlier
        return
    first[id(node)] = path
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                # A list or mapping as a key; never meaningful in a spec (and its text could be
                # as large as the document).
                problems.append(
                    SpecIssue(
                        "a key must be plain text, not a list or mapping",
                        format_path(path),
                        source.file,
                        line,
                        column,
                    )
                )
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                problems.append(
                    SpecIssue(
                        f"duplicate key {excerpt(key)}",
                        format_path(child),
                        source.file,
                        line,
                        column,
                    )
                )
            seen.add(key)
            source.keys[child] = (line, column)
            _walk(value_node, child, source, problems, first)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), source, problems, first)
