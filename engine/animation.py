"""A layer's animation, resolved onto its frames: keyframes at exact frame positions, entrances
and exits, and the value of every property at every frame it shows.

Frame ``k`` of a layer is the k-th frame it shows; keyframe and entrance times are exact
positions on that count (fractions of a frame when the spec's times fall between frames), so
each frame shows the curve's value at that frame's own time, whatever the rounding of the
layer's start. Plain data (pickled to farm workers); curves are rebuilt from their names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from engine.easing import Curve, Spring, cubic_bezier, named

#: An easing as data: ("linear",), ("ease-out-cubic",), ("bezier", x1, y1, x2, y2) or
#: ("spring", mass, stiffness, damping).
EasingData = tuple[str | float, ...]


def curve_of(easing: EasingData) -> Curve:
    kind = str(easing[0])
    if kind == "bezier":
        x1, y1, x2, y2 = (float(v) for v in easing[1:])
        return cubic_bezier(x1, y1, x2, y2)
    if kind == "spring":
        mass, stiffness, damping = (float(v) for v in easing[1:])
        return Spring(mass, stiffness, damping).curve()
    return named(kind)


@dataclass(frozen=True)
class Key:
    frame: Fraction
    value: float
    #: The curve arriving at this key from the one before.
    easing: EasingData = ("linear",)


@dataclass(frozen=True)
class Track:
    """A property's keyframes, in order of their frames."""

    keys: tuple[Key, ...]

    def at(self, frame: int) -> float:
        keys = self.keys
        if frame <= keys[0].frame:
            return keys[0].value
        for before, after in pairwise(keys):
            if frame < after.frame:
                progress = float((frame - before.frame) / (after.frame - before.frame))
                share = curve_of(after.easing)(progress)
                return before.value + (after.value - before.value) * share
        return keys[-1].value


@dataclass(frozen=True)
class Move:
    """An entrance (from its start) or an exit (until its end), over ``frames`` (exact)."""

    start: Fraction
    frames: Fraction
    easing: EasingData
    fade: bool = False
    #: The side it comes from or leaves by, and how far (None: to just outside the frame).
    slide: str | None = None
    distance: float | None = None
    #: The size factor and the turn (degrees) at the far end of the move.
    scale: float | None = None
    rotate: float | None = None

    def progress(self, frame: int, entering: bool) -> float:
        """How far from the far end (0) to the layer's own state (1), eased."""
        u = min(1.0, max(0.0, float((frame - self.start) / self.frames)))
        share = curve_of(self.easing)(u)
        return share if entering else 1.0 - share


@dataclass(frozen=True)
class State:
    """A layer at one frame: its box's top-left corner and size before scaling and turning,
    shifted by ``dx``/``dy``; scale about the box centre, degrees clockwise, opacity."""

    x: float
    y: float
    dx: float
    dy: float
    scale: float
    rotation: float
    opacity: float


@dataclass(frozen=True)
class Animation:
    """Tracks of the properties that move (None: the layer's static value) and the moves."""

    x: Track | None = None
    y: Track | None = None
    opacity: Track | None = None
    scale: Track | None = None
    rotation: Track | None = None
    enter: Move | None = None
    exit: Move | None = None
    #: Constant values of the properties without a track.
    base_opacity: float = 1.0
    base_scale: float = 1.0
    base_rotation: float = 0.0
    moves: tuple[Move, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "moves", tuple(m for m in (self.enter, self.exit) if m))

    def turns(self) -> bool:
        return (
            self.rotation is not None
            or self.base_rotation != 0
            or any(m.rotate for m in self.moves)
        )

    def scales(self) -> bool:
        return (
            self.scale is not None
            or self.base_scale != 1
            or any(m.scale is not None for m in self.moves)
        )

    def state(
        self,
        frame: int,
        rest: tuple[int, int],
        size: tuple[int, int],
        canvas: tuple[int, int],
        inset: tuple[int, int] = (0, 0),
    ) -> State:
        """The layer at ``frame``: ``rest`` is where its placement puts its box's top-left
        corner, ``size`` the box, ``canvas`` the frame (for slides from outside it); keyframed
        x and y place the point ``inset`` into the box (a drawn picture larger than what it
        places)."""
        x = self.x.at(frame) - inset[0] if self.x else float(rest[0])
        y = self.y.at(frame) - inset[1] if self.y else float(rest[1])
        opacity = self.opacity.at(frame) if self.opacity else self.base_opacity
        scale = self.scale.at(frame) if self.scale else self.base_scale
        rotation = self.rotation.at(frame) if self.rotation else self.base_rotation
        dx = dy = 0.0
        for move in self.moves:
            entering = move is self.enter
            share = move.progress(frame, entering)
            if move.fade:
                opacity *= share
            if move.scale is not None:
                scale *= move.scale + (1 - move.scale) * share
            if move.rotate:
                rotation += move.rotate * (1 - share)
            if move.slide:
                ox, oy = self._far(move, entering, rest, size, canvas)
                dx += ox * (1 - share)
                dy += oy * (1 - share)
        return State(x, y, dx, dy, max(0.0, scale), rotation, min(1.0, max(0.0, opacity)))

    def _far(
        self,
        move: Move,
        entering: bool,
        rest: tuple[int, int],
        size: tuple[int, int],
        canvas: tuple[int, int],
    ) -> tuple[float, float]:
        """The shift at the far end of a slide: ``distance`` towards its side, or just far
        enough for the box to be outside the frame, measured where the move meets the rest."""
        meet = math.floor(move.start + move.frames) if entering else math.ceil(move.start)
        x = self.x.at(meet) if self.x else float(rest[0])
        y = self.y.at(meet) if self.y else float(rest[1])
        d = move.distance
        if move.slide == "left":
            return -(d if d is not None else x + size[0]), 0.0
        if move.slide == "right":
            return (d if d is not None else canvas[0] - x), 0.0
        if move.slide == "top":
            return 0.0, -(d if d is not None else y + size[1])
        return 0.0, (d if d is not None else canvas[1] - y)
