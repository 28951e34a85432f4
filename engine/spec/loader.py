"""Load a spec from YAML, keeping the source location of every value.

Errors from YAML and from pydantic are translated here into :class:`SpecIssue` objects that
point at ``file:line:column`` with a dotted path, an expectation, and a did-you-mean.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pydantic
import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from engine.errors import SpecError, SpecIssue, capped
from engine.spec.common import DEFAULT_MAX_FPS, DEFAULT_MAX_SIDE, env_limit, excerpt
from engine.spec.models import Spec

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each value (and each mapping key) of a YAML document was written."""

    file: str | None
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    #: Collections that are an alias of one seen earlier: path → the path of that first use.
    #: What lies inside is located there, so each aliased collection is walked once.
    links: dict[PathKey, PathKey] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of ``path``, or of its nearest located ancestor."""
        table = self.keys if key else self.values
        probe = self._through_links(tuple(path))
        if probe in table:
            return table[probe]
        while probe:
            probe = probe[:-1]
            if probe in self.values:
                return self.values[probe]
        return None, None

    def _through_links(self, path: PathKey) -> PathKey:
        if not self.links:
            return path
        for _ in range(len(path) + 1):  # each link moves to an earlier, finished walk
            for cut in range(1, len(path)):
                target = self.links.get(path[:cut])
                if target is not None:
                    path = target + path[cut:]
                    break
            else:
                return path
        return path

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
        if isinstance(part, str) and len(part) > 60:  # an unknown key can be any length
            part = f"{part[:40]}…({len(part)} characters)"
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: Default limits on spec input (docs/security.md); the environment variables raise them.
DEFAULT_MAX_SPEC_BYTES = 1024 * 1024
DEFAULT_MAX_YAML_NODES = 1_000_000
#: Nesting deeper than this is never a spec; PyYAML composes recursively, so far deeper
#: nesting would end in a RecursionError. Fixed: not adjustable.
MAX_YAML_DEPTH = 100
#: Characters of a YAML number: more is no number a spec needs, and Python refuses to turn
#: over 4300 digits into an int.
MAX_NUMBER_CHARS = 64


def max_spec_bytes() -> int:
    return int(env_limit("REELSPEC_MAX_SPEC_BYTES", DEFAULT_MAX_SPEC_BYTES))


def max_yaml_nodes() -> int:
    return int(env_limit("REELSPEC_MAX_YAML_NODES", DEFAULT_MAX_YAML_NODES))


def spec_error(
    message: str, *, file: str | None = None, line: int | None = None, column: int | None = None
) -> SpecError:
    return SpecError([SpecIssue(message, "", file, line, column)])


def load_spec(path: str | Path) -> LoadedSpec:
    spec_path = Path(path)
    data = read_limited(
        spec_path, max_spec_bytes(), "spec file", "REELSPEC_MAX_SPEC_BYTES", spec_error
    )
    text = decode_utf8(data, str(spec_path), spec_error)
    return load_spec_text(text, file=str(spec_path), base_dir=spec_path.resolve().parent)


def read_limited(
    path: Path, limit: int, what: str, variable: str, fail: Callable[..., Exception]
) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    The file's type is checked before it is opened (a FIFO would block the open, /dev/zero
    would never end) and again on the open descriptor, which is opened non-blocking so that a
    file swapped for a FIFO in between cannot hang it either. ``fail(message)`` makes the
    error to raise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail(f"{what} not found: {excerpt_path(path)}") from None
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {what} {excerpt_path(path)}: {_os_reason(exc)}") from None
    _check_regular(info, path, what, limit, variable, fail)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise fail(f"cannot read {what} {excerpt_path(path)}: {_os_reason(exc)}") from None
    try:
        _check_regular(os.fstat(fd), path, what, limit, variable, fail)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise fail(f"cannot read {what} {excerpt_path(path)}: {_os_reason(exc)}") from None
    finally:
        os.close(fd)
    if size > limit:  # it grew after the stat
        raise fail(_too_big(path, what, size, limit, variable))
    return b"".join(chunks)


def _check_regular(
    info: os.stat_result,
    path: Path,
    what: str,
    limit: int,
    variable: str,
    fail: Callable[..., Exception],
) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise fail(f"{what} {excerpt_path(path)} is a folder, not a file")
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise fail(f"{what} {excerpt_path(path)} is {kind}; only regular files are read")
    if info.st_size > limit:
        raise fail(_too_big(path, what, info.st_size, limit, variable))


def _too_big(path: Path, what: str, size: int, limit: int, variable: str) -> str:
    return (
        f"{what} {excerpt_path(path)} is {size} bytes, over the limit of {limit} "
        f"(raise it with {variable})"
    )


def _os_reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def excerpt_path(path: Path | str) -> str:
    text = str(path)
    if len(text) <= 200:
        return text
    return f"{text[:100]}…{text[-60:]} ({len(text)} characters)"


def decode_utf8(data: bytes, file: str, fail: Callable[..., Exception]) -> str:
    """UTF-8 text (a leading byte-order mark dropped); a bad byte is reported with the line
    and column where it sits."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise fail(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded "
            "(save the file as UTF-8)",
            file=file,
            line=line,
            column=column,
        ) from None


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


class YAMLLimitError(ComposerError):
    """A YAML document over one of the loader's bounds (not a syntax error)."""


class _Bounds(Composer, SafeConstructor):
    """PyYAML's safe composer and constructor with bounds: aliases may expand the document to
    at most ``max_nodes`` values (a "billion laughs" document fails at the alias that crosses
    the limit, in no time), an alias may not refer to the collection it is in (recursive
    aliases), nesting stops at MAX_YAML_DEPTH, numbers have at most MAX_NUMBER_CHARS
    characters, and strings may not hold lone surrogates (no file name or font can carry
    them)."""

    max_nodes = DEFAULT_MAX_YAML_NODES

    def _start_bounds(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        #: Values in the document so far, each alias counted as everything it stands for.
        self.expanded = 0
        self._depth = 0
        #: Expanded size of every finished node (by id; the nodes stay alive in the tree).
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                size = self._sizes.get(id(node))
                if size is None:
                    raise YAMLLimitError(
                        None,
                        None,
                        f"recursive alias *{_short(event.anchor)}: it refers to the collection "
                        "it is in",
                        event.start_mark,
                    )
                self._count(size, event.start_mark)
            return super().compose_node(parent, index)
        event = self.peek_event()
        if self._depth >= MAX_YAML_DEPTH:
            raise YAMLLimitError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark
            )
        if isinstance(event, yaml.ScalarEvent) and _SURROGATE.search(event.value):
            raise YAMLLimitError(
                None,
                None,
                "a lone surrogate escape (\\ud800-\\udfff) is not text",
                event.start_mark,
            )
        before = self.expanded
        self._count(1, event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self.expanded - before
        return node

    def _count(self, size: int, mark: Any) -> None:
        self.expanded += size
        if self.expanded > self.max_nodes:
            raise YAMLLimitError(
                None,
                None,
                f"the document expands to over {self.max_nodes} values (aliases counted as "
                "everything they stand for); raise the limit with REELSPEC_MAX_YAML_NODES",
                mark,
            )

    def construct_yaml_int(self, node: Any) -> Any:
        self._short_number(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Any) -> Any:
        self._short_number(node)
        return super().construct_yaml_float(node)

    @staticmethod
    def _short_number(node: Any) -> None:
        if len(node.value) > MAX_NUMBER_CHARS:
            raise YAMLLimitError(
                None,
                None,
                f"a number of {len(node.value)} characters is too long "
                f"(at most {MAX_NUMBER_CHARS})",
                node.start_mark,
            )


_Bounds.add_constructor("tag:yaml.org,2002:int", _Bounds.construct_yaml_int)
_Bounds.add_constructor("tag:yaml.org,2002:float", _Bounds.construct_yaml_float)

try:  # libyaml's scanner and parser (C) are about four times faster than PyYAML's own
    from yaml._yaml import CParser

    class BoundedLoader(_Bounds, Resolver, CParser):  # type: ignore[misc]
        """The bounded loader over libyaml's event parser (marks count characters; reader
        errors give byte offsets)."""

        BYTE_OFFSETS = True

        def __init__(self, text: str, max_nodes: int) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_bounds(max_nodes)

except ImportError:  # PyYAML built without libyaml

    class BoundedLoader(_Bounds, yaml.SafeLoader):  # type: ignore[no-redef]
        BYTE_OFFSETS = False

        def __init__(self, text: str, max_nodes: int) -> None:
            yaml.SafeLoader.__init__(self, text)
            self._start_bounds(max_nodes)


#: Lone surrogates: libyaml refuses them in escapes; PyYAML's own parser lets them through.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _short(text: object, limit: int = 40) -> str:
    value = str(text)
    return value if len(value) <= limit else value[:limit] + f"… ({len(value)} characters)"


def compose_bounded(text: str, max_nodes: int) -> tuple[Any, Any]:
    """(root node, loader) of one YAML document read with :class:`BoundedLoader`; the caller
    constructs the data and disposes of the loader. YAML errors come out as they are; text
    with a lone surrogate (which cannot be encoded for libyaml) is a ReaderError."""
    found = _SURROGATE.search(text)
    if found:
        raise yaml.reader.ReaderError(
            "<text>", found.start(), ord(found.group()), "utf-8", "a lone surrogate is not text"
        )
    loader = BoundedLoader(text, max_nodes)
    return loader.get_single_node(), loader


def yaml_issue(exc: yaml.YAMLError, text: str, file: str | None) -> SpecIssue:
    """A located issue for any PyYAML error: syntax (marked) and unreadable characters
    (reader errors, which carry an offset into the text)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        head = "" if isinstance(exc, YAMLLimitError) else "YAML syntax error: "
        return SpecIssue(head + _short(problem, 300), "", file, line, column)
    if isinstance(exc, yaml.reader.ReaderError):
        position = max(0, min(exc.position, len(text)))
        if BoundedLoader.BYTE_OFFSETS and exc.name != "<text>":
            raw = text.encode("utf-8")[: exc.position]
            position = len(raw.decode("utf-8", "ignore"))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        char = exc.character
        code = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return SpecIssue(
            f"YAML cannot hold the character {code} ({exc.reason})", "", file, line, column
        )
    return SpecIssue(f"YAML error: {_short(exc, 300)}", "", file)


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


# --- pydantic errors → SpecIssues -------------------------------------------------------------


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
    issues = []
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
            + _did_you_mean(key, allowed)
            + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else "")
        )
    if kind == "missing":
        return f"missing required key {excerpt(str(path[-1]))}"
    if kind == "literal_error":
        options = [
            o.strip().strip("'\"")
            for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")
        ]
        return f"expected one of {', '.join(options)} (got {excerpt(got)})" + _did_you_mean(
            got, options
        )
    if kind == "union_tag_invalid":
        options = [o.strip().strip("'\"") for o in str(ctx.get("expected_tags", "")).split(",")]
        tag = ctx.get("tag")
        field = _discriminator(error)
        return f"unknown {field} {excerpt(tag)}; expected one of {', '.join(options)}" + (
            _did_you_mean(tag, options)
        )
    if kind == "union_tag_not_found":
        return "missing required key 'type'"
    text = str(error.get("msg", kind))
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = _short(text, 300)  # validators quote values as excerpts; this bounds the rest
    if kind not in ("value_error",) and got is not None and not isinstance(got, (dict, list)):
        text += f" (got {excerpt(got)})"
    return text


def _did_you_mean(word: object, options: Iterable[str]) -> str:
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
