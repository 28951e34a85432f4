"""Animation in the spec: properties that are a constant or keyframes with easing, and the short
forms for entrances and exits (``enter: {slide: left, duration: 0.4}``, ``exit: {fade: 0.3}``).

A keyframe's ``easing`` is the curve the value takes to arrive at it from the keyframe before
(``[1.0, 200, ease-out-cubic]``: reach 200 at 1 s, slowing down; ``hold``: keep the previous
value until this keyframe's time, then jump); the first keyframe's has no segment to shape.
Before the first keyframe the value is the first one's, after the last the last one's. Times
are seconds from the layer's start (overlays: from the start of the video).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from engine.animation import EasingData, Key, Track
from engine.easing import EasingName
from engine.spec.common import (
    MAX_POSITION,
    MAX_SECONDS,
    Model,
    Placed,
    Position,
    PositiveSeconds,
    Seconds,
)
from engine.timebase import exact

#: Keyframes of one property.
MAX_KEYFRAMES = 1_000
#: Scale factors and turns a property may reach (both far beyond any real use).
MAX_SCALE = 100.0
MAX_DEGREES = 36_000.0


class CubicBezier(Model):
    """CSS ``cubic-bezier(x1, y1, x2, y2)``; x1 and x2 lie in [0, 1]."""

    cubic_bezier: tuple[
        Annotated[float, Field(ge=0, le=1)],
        Annotated[float, Field(ge=-10, le=10)],
        Annotated[float, Field(ge=0, le=1)],
        Annotated[float, Field(ge=-10, le=10)],
    ]


class SpringOptions(Model):
    mass: float = Field(1.0, gt=0, le=1000)
    stiffness: float = Field(100.0, gt=0, le=100_000)
    damping: float = Field(10.0, gt=0, le=100_000)


class SpringEasing(Model):
    """A spring (mass, stiffness, damping), played so that it settles when the segment ends."""

    spring: SpringOptions = Field(default_factory=SpringOptions)


def _spring_word(value: Any) -> Any:
    return {"spring": {}} if value == "spring" else value


Easing = Annotated[EasingName | CubicBezier | SpringEasing, BeforeValidator(_spring_word)]


class Keyframe(Model):
    t: Seconds = Field(description="Seconds from the layer's start (overlays: the video's).")
    value: float = Field(ge=-MAX_POSITION, le=MAX_POSITION)
    easing: Easing = Field(
        "linear", description="The curve from the previous keyframe to this one."
    )


def _short_keyframe(value: Any) -> Any:
    """``[t, value]`` or ``[t, value, easing]`` for a keyframe."""
    if isinstance(value, (list, tuple)) and 2 <= len(value) <= 3:
        keys = ("t", "value", "easing")
        return dict(zip(keys, value, strict=False))
    return value


def _ordered(frames: list[Keyframe]) -> list[Keyframe]:
    for before, after in pairwise(frames):
        if after.t <= before.t:
            raise ValueError(
                f"keyframe times must increase: {after.t:g}s comes after {before.t:g}s"
            )
    return frames


Keyframes = Annotated[
    list[Annotated[Keyframe, BeforeValidator(_short_keyframe)]],
    Field(min_length=1, max_length=MAX_KEYFRAMES),
]


def _bounded(low: float, high: float) -> Any:
    def check(value: Any) -> Any:
        frames = value if isinstance(value, list) else None
        if frames is None:
            if not low <= value <= high:
                raise ValueError(f"must be between {low:g} and {high:g} (got {value:g})")
            return value
        _ordered(frames)
        for frame in frames:
            if not low <= frame.value <= high:
                raise ValueError(
                    f"keyframe at {frame.t:g}s: value must be between {low:g} and {high:g} "
                    f"(got {frame.value:g})"
                )
        return value

    return check


#: A number or keyframes, each value in the property's range.
Opacity = Annotated[
    float | Keyframes,
    AfterValidator(_bounded(0.0, 1.0)),
    Field(description="0 (invisible) to 1, or keyframes."),
]
Scale = Annotated[
    float | Keyframes,
    AfterValidator(_bounded(0.0, MAX_SCALE)),
    Field(description="Size factor about the centre (1 = as drawn), or keyframes."),
]
Rotation = Annotated[
    float | Keyframes,
    AfterValidator(_bounded(-MAX_DEGREES, MAX_DEGREES)),
    Field(description="Degrees clockwise about the centre, or keyframes."),
]

#: A crop window's edge, and its side (more than nothing), as fractions of the picture.
Fraction01Value = Annotated[
    float | Keyframes,
    AfterValidator(_bounded(0.0, 1.0)),
    Field(description="A fraction of the picture (0-1), or keyframes."),
]
WindowSide = Annotated[
    float | Keyframes,
    AfterValidator(_bounded(0.01, 1.0)),
    Field(description="A fraction of the picture (0.01-1), or keyframes."),
]

Side = Literal["left", "right", "top", "bottom"]


class Entrance(Model):
    """How a layer comes in (``enter``) or goes out (``exit``). ``fade``/``pop`` given as a
    number set the duration too: ``{fade: 0.3}``."""

    duration: PositiveSeconds | None = Field(None, description="Seconds (default 0.5).")
    easing: Easing | None = Field(
        None, description="Default: ease-out-cubic in, ease-in-cubic out (pop: ease-out-back)."
    )
    fade: bool | PositiveSeconds = Field(False, description="Fade from (or to) transparent.")
    slide: Side | None = Field(
        None, description="The side it comes in from (enter) or leaves by (exit)."
    )
    distance: float | None = Field(
        None,
        gt=0,
        le=MAX_POSITION,
        description="Pixels to slide; default: from (or to) just outside the frame.",
    )
    pop: bool | PositiveSeconds = Field(False, description="Grow from (or shrink to) nothing.")
    scale: float | None = Field(
        None, ge=0, le=MAX_SCALE, description="Size factor it grows from (or shrinks to)."
    )
    rotate: float | None = Field(
        None, ge=-MAX_DEGREES, le=MAX_DEGREES, description="Degrees it turns in from (or out to)."
    )

    @model_validator(mode="after")
    def _something(self) -> Entrance:
        if not (self.fade or self.slide or self.pop or self.scale is not None or self.rotate):
            raise ValueError("say what moves: fade, slide, pop, scale or rotate")
        if self.pop and self.scale is not None:
            raise ValueError("pop grows from nothing; give pop or scale, not both")
        return self

    @property
    def seconds(self) -> float:
        if self.duration is not None:
            return self.duration
        for shortcut in (self.fade, self.pop):
            if not isinstance(shortcut, bool):
                return float(shortcut)
        return 0.5


class Moving(Model):
    """What every visual layer and overlay can animate besides its position."""

    opacity: Opacity = 1.0
    scale: Scale = 1.0
    rotation: Rotation = 0.0
    enter: Entrance | None = None
    exit: Entrance | None = None

    def moves(self) -> bool:
        """Whether anything about it changes over time (or it is turned or scaled)."""
        animated = [
            getattr(self, name, None) for name in ("x", "y", "opacity", "scale", "rotation")
        ]
        still = self.scale == 1 and self.rotation == 0
        return (
            any(isinstance(v, list) for v in animated) or bool(self.enter or self.exit) or not still
        )

    @model_validator(mode="after")
    def _blends_standing_still(self) -> Moving:
        # A blend mode is worked out in the layer's box on the frame; a box that moves or
        # turns has no one place to work it out (not supported yet).
        mode = getattr(self, "blend", None)
        if mode not in (None, "normal") and self.moves():
            raise ValueError(
                f"blend: {mode} works on a layer that stays in place; drop the blend mode or "
                "its motion (keyframes, scale, rotation, enter, exit)"
            )
        return self


class PlacedMoving(Moving, Placed):
    """A layer placed by anchor or x/y that can also move: x and y may be keyframes (its
    box's top-left corner over time)."""

    x: Position | Keyframes | None = Field(  # type: ignore[assignment]
        None, description="Left edge in pixels (overrides position), or keyframes."
    )
    y: Position | Keyframes | None = Field(  # type: ignore[assignment]
        None, description="Top edge in pixels (overrides position), or keyframes."
    )

    @model_validator(mode="after")
    def _corner_keys(self) -> PlacedMoving:
        for name in ("x", "y"):
            value = getattr(self, name)
            if isinstance(value, list):
                try:
                    _ordered(value)
                except ValueError as error:
                    raise ValueError(f"{name}: {error}") from None
        return self


class CropWindow(Model):
    """The part of a full-frame picture or clip shown, as fractions of it: its left and top
    edges and its width and height, each a number or keyframes. The window is shown covering
    the frame (scaled to fill it, centred on the window's centre, never stretched)."""

    x: Fraction01Value = 0.0
    y: Fraction01Value = 0.0
    width: WindowSide = 1.0
    height: WindowSide = 1.0


def easing_data(easing: Any) -> EasingData:
    """An easing as plain data (names, or the numbers of a Bézier or a spring)."""
    if isinstance(easing, CubicBezier):
        return ("bezier", *easing.cubic_bezier)
    if isinstance(easing, SpringEasing):
        s = easing.spring
        return ("spring", s.mass, s.stiffness, s.damping)
    return (str(easing),)


def track_of(value: Any, origin: Fraction, fps: Fraction, shift: float = 0.0) -> Track | None:
    """Keyframes placed on a layer's frame count: time 0 at frame ``origin`` (exact), values
    shifted by ``shift``; None for a constant."""
    if not isinstance(value, list):
        return None
    frames: list[Keyframe] = value
    return Track(
        tuple(
            Key(origin + exact(k.t) * fps, k.value + shift, easing_data(k.easing)) for k in frames
        )
    )


def static(value: float | list[Keyframe] | None) -> float | None:
    """The value of a property that does not move; None for keyframes (or nothing)."""
    return value if isinstance(value, (int, float)) else None


__all__ = [
    "MAX_SECONDS",
    "CropWindow",
    "Entrance",
    "Keyframe",
    "Moving",
    "PlacedMoving",
    "static",
]
