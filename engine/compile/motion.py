"""Keyframed motion in the graph: every property's value at every frame, computed here from
the resolved animation and written into the graph as exact per-frame tables.

ffmpeg's expressions could spell some easing curves, but not cubic Béziers or springs, and
their floating point would put a value a pixel off where ours rounds the other way; a table
gives each frame the value the spec states for it, whatever the curve. A table is a balanced
tree of ``if(lt(t, …), …, …)`` over the frames where the value changes, switching half a frame
before each frame's time (so no rounding of ``t`` can pick a neighbour's value); runs of equal
values collapse, so a still stretch costs nothing.

Per frame: the picture is made transparent by its opacity (one ``lut`` per opacity level,
enabled on that level's frames: ``lut`` cannot read the time), turned (``rotate``, into a
square that holds any turn, on the frames that turn), scaled (``scale`` with per-frame sizes)
and placed by ``overlay`` at per-frame x and y. Frames change size from the turn on, so only
filters that read each frame's own size follow it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from engine.animation import Animation
from engine.compile.graph import Filter, f, num


def _runs(values: Sequence[float]) -> list[tuple[int, float]]:
    runs: list[tuple[int, float]] = []
    for k, value in enumerate(values):
        if not runs or runs[-1][1] != value:
            runs.append((k, value))
    return runs


def _switch(frame: int, fps: Fraction) -> str:
    """The time half a frame before ``frame``: frames at or after it have ``t`` past it."""
    return num(round(float((Fraction(frame) - Fraction(1, 2)) / fps), 9))


def by_frame(values: Sequence[float], fps: Fraction, first: int = 0) -> str:
    """An expression in ``t`` whose value at frame ``first + k`` is ``values[k]``."""
    runs = [(first + k, v) for k, v in _runs(values)]

    def tree(part: list[tuple[int, float]]) -> str:
        if len(part) == 1:
            return num(part[0][1])
        middle = len(part) // 2
        left, right = tree(part[:middle]), tree(part[middle:])
        return f"if(lt(t,{_switch(part[middle][0], fps)}),{left},{right})"

    return tree(runs)


def _frames_where(levels: Sequence[int], level: int, fps: Fraction) -> str:
    """``enable`` expression: true on the frames whose level is ``level``."""
    spans: list[str] = []
    k = 0
    while k < len(levels):
        if levels[k] != level:
            k += 1
            continue
        end = k
        while end < len(levels) and levels[end] == level:
            end += 1
        spans.append(f"between(t,{_switch(k, fps)},{_switch(end, fps)})")
        k = end
    return "+".join(spans)


@dataclass(frozen=True)
class Placement:
    """A moving layer compiled: filters for its own frames (counted from its first shown
    frame) and its top-left corner at each of them."""

    filters: tuple[Filter, ...]
    x: tuple[int, ...]
    y: tuple[int, ...]


def _even_up(value: float) -> int:
    return 2 * math.ceil(value / 2)


def placement(
    animation: Animation,
    life: int,
    rest: tuple[int, int],
    size: tuple[int, int],
    canvas: tuple[int, int],
    fps: Fraction,
    alpha_format: str,
    inset: tuple[int, int] = (0, 0),
) -> Placement:
    """The filters and per-frame corners of a layer of ``size`` whose placement puts it at
    ``rest``, showing ``life`` frames; ``alpha_format`` is a pixel format with transparency
    (turning shows what is below in the corners); keyframed corners place the point ``inset``
    into the sprite."""
    w, h = size
    states = [animation.state(k, rest, size, canvas, inset) for k in range(life)]
    filters: list[Filter] = [f("format", alpha_format)]
    levels = [0 if s.scale == 0 else round(s.opacity * 255) for s in states]
    for level in sorted(set(levels) - {255}):
        alpha = f"val*{num(round(level / 255, 6))}" if level else "0"
        filters.append(f("lut", c3=alpha, enable=_frames_where(levels, level, fps)))
    boxes = [(w, h)] * life
    if animation.turns():
        side = _even_up(math.hypot(w, h))
        radians = [round(math.radians(s.rotation % 360), 6) for s in states]
        turned = [1 if r else 0 for r in radians]
        boxes = [(side, side) if t else (w, h) for t in turned]
        # Fill with transparent black: rotate's "none" paints nothing, so the corners kept
        # whatever a reused frame buffer held (earlier angles smeared into later frames).
        # Frames not turned at all pass through at their own size (a settled wobble costs
        # nothing); ``scale`` and ``overlay`` read each frame's size.
        some = {} if all(turned) else {"enable": _frames_where(turned, 1, fps)}
        filters.append(f("rotate", a=by_frame(radians, fps), ow=side, oh=side, c="black@0", **some))
    sizes = [
        (max(1, math.floor(bw * s.scale + 0.5)), max(1, math.floor(bh * s.scale + 0.5)))
        for s, (bw, bh) in zip(states, boxes, strict=True)
    ]
    if animation.scales():
        filters.append(
            f(
                "scale",
                w=by_frame([s[0] for s in sizes], fps),
                h=by_frame([s[1] for s in sizes], fps),
                eval="frame",
                flags="bilinear",
            )
        )
    # The corner that keeps the box's centre where the state puts it, at the scaled size.
    corners = [
        (math.floor(s.x + w / 2 + s.dx - sw / 2), math.floor(s.y + h / 2 + s.dy - sh / 2))
        for s, (sw, sh) in zip(states, sizes, strict=True)
    ]
    return Placement(tuple(filters), tuple(c[0] for c in corners), tuple(c[1] for c in corners))
