"""PyYAML, bounded: a document may expand (aliases counted as all they stand for) to a limited
number of values, may not nest past a fixed depth, hold over-long numbers or lone surrogates,
or refer to itself; errors of any kind become located issues. Used for specs, data files and
tags."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from engine.env import env_limit
from engine.errors import SpecIssue
from engine.spec.messages import shorten

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


class YAMLLimitError(ComposerError):
    """A YAML document over one of the loader's bounds (not a syntax error)."""


def _refuse(problem: str, mark: Any) -> YAMLLimitError:
    # The mark is PyYAML's or libyaml's (the stubs accept only the former; both work).
    return YAMLLimitError(None, None, problem, mark)


class _Bounds(Composer, SafeConstructor):
    """PyYAML's safe composer and constructor with bounds: aliases may expand the document to
    at most ``max_nodes`` values (a "billion laughs" document fails at the alias that crosses
    the limit, in no time), an alias may not refer to the collection it is in (recursive
    aliases), nesting stops at MAX_YAML_DEPTH, numbers have at most MAX_NUMBER_CHARS
    characters, and strings may not hold lone surrogates (no file name or font can carry
    them)."""

    max_nodes = DEFAULT_MAX_YAML_NODES

    if TYPE_CHECKING:
        # Supplied by the parser each loader below mixes in (libyaml's or PyYAML's own).
        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...

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
                    raise _refuse(
                        f"recursive alias *{shorten(event.anchor)}: it refers to the collection "
                        "it is in",
                        event.start_mark,
                    )
                self._count(size, event.start_mark)
            return super().compose_node(parent, index)
        event = self.peek_event()
        if self._depth >= MAX_YAML_DEPTH:
            raise _refuse(f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and _SURROGATE.search(event.value):
            raise _refuse("a lone surrogate escape (\\ud800-\\udfff) is not text", event.start_mark)
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
            raise _refuse(
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
            raise _refuse(
                f"a number of {len(node.value)} characters is too long "
                f"(at most {MAX_NUMBER_CHARS})",
                node.start_mark,
            )


# The stubs accept only PyYAML's own loader classes here; any constructor subclass works.
_Bounds.add_constructor(
    "tag:yaml.org,2002:int",
    _Bounds.construct_yaml_int,  # type: ignore[type-var]
)
_Bounds.add_constructor(
    "tag:yaml.org,2002:float",
    _Bounds.construct_yaml_float,  # type: ignore[type-var]
)

try:  # libyaml's scanner and parser (C) are about four times faster than PyYAML's own
    from yaml._yaml import CParser

    class BoundedLoader(_Bounds, Resolver, CParser):
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
        return SpecIssue(head + shorten(problem, 300), "", file, line, column)
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
    return SpecIssue(f"YAML error: {shorten(exc, 300)}", "", file)
