"""A small, deterministic builder for ffmpeg filter graphs.

Streams are named by sequential labels in the order the compiler asks for them, filters keep
their options in the order written, and values are escaped for both levels of ffmpeg's parser
(the option string, then the graph), so the same calls always give byte-identical text.
See docs/decisions/0001-own-graph-builder.md for why this is not ffmpeg-python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from engine.feeds import Feed


def num(value: float | Fraction | int) -> str:
    """A number as ffmpeg should read it: exact for integers, six decimals at most otherwise."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        value = float(value)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _escape_option(value: str) -> str:
    # Level 1: the filter's own "key=value:key=value" parser.
    return "".join("\\" + c if c in "\\':" else c for c in value)


def _escape_graph(text: str) -> str:
    # Level 2: the filter-graph parser, which splits on brackets, commas and semicolons.
    return "".join("\\" + c if c in "\\'[],;" else c for c in text)


@dataclass(frozen=True)
class Filter:
    name: str
    args: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        parts = [_escape_option(a) for a in self.args]
        parts += [f"{k}={_escape_option(v)}" for k, v in self.options]
        return self.name + ("=" + _escape_graph(":".join(parts)) if parts else "")


def f(name: str, *args: object, **options: object) -> Filter:
    """Build a filter; option values may be numbers (formatted by :func:`num`) or strings.
    Options keep their written order; a trailing underscore in a name is dropped."""

    def text(value: object) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (int, float, Fraction)):
            return num(value)
        return str(value)

    return Filter(
        name,
        tuple(text(a) for a in args),
        tuple((k.rstrip("_"), text(v)) for k, v in options.items() if v is not None),
    )


@dataclass(frozen=True)
class Input:
    """One ``-i``: the options that precede it and what it reads (a path or ``pipe:N``)."""

    target: str
    options: tuple[str, ...] = ()


@dataclass
class GraphBuilder:
    inputs: list[Input] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    #: What writes each pipe input (engine.feeds), in pipe order.
    feeds: list[Feed] = field(default_factory=list)
    _labels: dict[str, int] = field(default_factory=dict)

    def add_input(self, target: str, *options: str) -> int:
        """Index of a new input. The same file asked for twice is opened twice: one input
        stream feeding several consumers can deadlock ffmpeg 9's scheduler (seen: 3 hangs in
        10 runs of a graph whose gradient fed five scenes, on one core; none when each scene
        opened its own). A still costs one extra decode per use, nothing per frame."""
        self.inputs.append(Input(target, tuple(options)))
        return len(self.inputs) - 1

    def next_pipe(self) -> int:
        """The pipe number for the next feed: stdin first, then 3, 4, ... (stdout and stderr
        carry ffmpeg's progress and messages)."""
        return 0 if not self.feeds else 2 + len(self.feeds)

    def add_feed(self, feed: Feed, *options: str) -> int:
        """Index of a new input read from ``pipe:N`` (``feed.pipe``), written by ``feed``."""
        self.feeds.append(feed)
        return self.add_input(f"pipe:{feed.pipe}", *options)

    def label(self, prefix: str) -> str:
        count = self._labels.get(prefix, 0)
        self._labels[prefix] = count + 1
        return f"{prefix}{count}"

    def chain(
        self, sources: list[str], filters: list[Filter], prefix: str = "v", outputs: int = 1
    ) -> list[str]:
        """Append ``[sources]f1,f2,...[out...]`` and return the output labels."""
        if not filters:
            if len(sources) == 1 and outputs == 1:
                return sources
            filters = [f("null")]
        labels = [self.label(prefix) for _ in range(outputs)]
        text = "".join(f"[{s}]" for s in sources)
        text += ",".join(str(flt) for flt in filters)
        text += "".join(f"[{label}]" for label in labels)
        self.chains.append(text)
        return labels

    def one(self, sources: list[str], filters: list[Filter], prefix: str = "v") -> str:
        return self.chain(sources, filters, prefix)[0]
