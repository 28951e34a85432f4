"""Load a spec from YAML, keeping the source location of every value.

Errors from YAML and from pydantic are translated into :class:`SpecIssue` objects that point
at ``file:line:column`` with a dotted path, an expectation, and a did-you-mean. This module
is the entry; the work is done beside it, one job per module:

- :mod:`~engine.spec.files` — regular files of bounded size, decoded as UTF-8;
- :mod:`~engine.spec.yaml_bounded` — PyYAML with bounds (aliases, depth, numbers) and its
  errors as located issues;
- :mod:`~engine.spec.yaml_source` — parsing a spec while recording where values were written;
- :mod:`~engine.spec.source_map` — :class:`SourceMap`, those locations;
- :mod:`~engine.spec.messages` — pydantic's errors as located issues with a did-you-mean.

The names other modules used to import from here are imported here still.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pydantic

from engine.env import env_limit
from engine.errors import SpecError, SpecIssue
from engine.spec.common import DEFAULT_MAX_FPS, DEFAULT_MAX_SIDE
from engine.spec.files import decode_utf8, excerpt_path, read_limited
from engine.spec.messages import translate_errors
from engine.spec.models import Spec
from engine.spec.source_map import PathKey, SourceMap, format_path
from engine.spec.yaml_bounded import (
    DEFAULT_MAX_SPEC_BYTES,
    DEFAULT_MAX_YAML_NODES,
    MAX_NUMBER_CHARS,
    MAX_YAML_DEPTH,
    BoundedLoader,
    YAMLLimitError,
    compose_bounded,
    max_spec_bytes,
    max_yaml_nodes,
    yaml_issue,
)
from engine.spec.yaml_source import parse_yaml, spec_error

__all__ = [
    "DEFAULT_MAX_SPEC_BYTES",
    "DEFAULT_MAX_YAML_NODES",
    "MAX_NUMBER_CHARS",
    "MAX_YAML_DEPTH",
    "BoundedLoader",
    "LoadedSpec",
    "PathKey",
    "SourceMap",
    "YAMLLimitError",
    "compose_bounded",
    "decode_utf8",
    "excerpt_path",
    "format_path",
    "load_spec",
    "load_spec_text",
    "max_spec_bytes",
    "max_yaml_nodes",
    "parse_yaml",
    "read_limited",
    "spec_error",
    "translate_errors",
    "validate",
    "yaml_issue",
]


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec plus what is needed to report later problems against its source."""

    spec: Spec
    source: SourceMap
    base_dir: Path
    text: str


def load_spec(path: str | Path) -> LoadedSpec:
    spec_path = Path(path)
    data = read_limited(
        spec_path, max_spec_bytes(), "spec file", "REELSPEC_MAX_SPEC_BYTES", spec_error
    )
    text = decode_utf8(data, str(spec_path), spec_error)
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


def validate(data: Any, source: SourceMap) -> Spec:
    try:
        spec = Spec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise SpecError(translate_errors(exc, data, source)) from None
    _check_output_limits(spec, source)
    return spec


def _check_output_limits(spec: Spec, source: SourceMap) -> None:
    """The frame size and rate against REELSPEC_MAX_SIDE and REELSPEC_MAX_FPS, here at load
    (resolving draws full-frame pictures, such as gradients, at the output size: a
    60000x60000 frame must be refused before anything is drawn)."""
    issues: list[SpecIssue] = []
    max_side = int(env_limit("REELSPEC_MAX_SIDE", DEFAULT_MAX_SIDE))
    if max(spec.output.width, spec.output.height) > max_side:
        issues.append(
            source.issue(
                ("output", "size"),
                f"{spec.output.size} exceeds the limit of {max_side} pixels a side "
                "(REELSPEC_MAX_SIDE)",
            )
        )
    max_fps = env_limit("REELSPEC_MAX_FPS", DEFAULT_MAX_FPS, integer=False)
    if Fraction(spec.output.fps) > max_fps:
        issues.append(
            source.issue(
                ("output", "fps"),
                f"{spec.output.fps} fps exceeds the limit of {max_fps:g} (REELSPEC_MAX_FPS)",
            )
        )
    if issues:
        raise SpecError(issues)
