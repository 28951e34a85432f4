"""``shape``: a rectangle (square or rounded corners), circle, ellipse, line or polygon, drawn
antialiased by Pillow at resolve time into a transparent picture (cached by content) and
placed like a sprite; also an overlay."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, ValidationInfo, field_validator, model_validator

from engine.compile.geometry import anchor_xy, fixed
from engine.compile.pictures import LayerStream, drawn_sprite
from engine.layers.base import LayerType, PathKey
from engine.resolved import Mover, ResolvedLayer
from engine.spec.animation import PlacedMoving
from engine.spec.common import MAX_LENGTH_PX, MAX_RADIUS, Color, Model, color_rgba
from engine.spec.effects import Blended, WithEffects
from engine.spec.parts import Timed, Timing

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext
    from engine.resolve.shapes import Gradient, Outline

#: Points of one polygon.
MAX_POINTS = 1_000

Kind = Literal["rect", "circle", "ellipse", "line", "polygon"]
#: A position inside the shape's box, in pixels from its top-left corner.
Coordinate = Annotated[float, Field(ge=0, le=MAX_LENGTH_PX)]
BoxSide = Annotated[int, Field(gt=0, le=MAX_LENGTH_PX)]


class GradientFill(Model):
    """A gradient across the shape's box, as the ``gradient`` layer draws one."""

    kind: Literal["linear", "radial"] = "linear"
    colors: list[Color] = Field(min_length=2, max_length=16)
    angle: float = Field(
        90.0, ge=-360, le=360, description="Direction of a linear gradient in degrees; 90 = down."
    )


def _fill_kind(value: Any) -> str:
    return "Gradient" if isinstance(value, (dict, GradientFill)) else "Color"


#: A fill: a color, or a gradient (a mapping). The tags are capitalised, as the names of a
#: union's members are, so located messages leave them out of the path.
Fill = Annotated[
    Annotated[Color, Tag("Color")] | Annotated[GradientFill, Tag("Gradient")],
    Discriminator(_fill_kind),
]


class ShapeStroke(Model):
    color: Color = "#ffffff"
    width: float = Field(2.0, gt=0, le=MAX_RADIUS, description="Pixels (inside the outline).")


class _Shape(PlacedMoving, WithEffects):
    """What every shape, layer or overlay, is made of. The box's keys are ``width`` and
    ``height`` in the spec; the attributes have other names because an overlay's ``width``
    means "scale the picture to this width" to the overlay placer, and a shape is drawn at
    its box's size already."""

    shape: Kind
    box_width: BoxSide | None = Field(
        None, alias="width", description="Width of the shape's box; a circle's diameter."
    )
    box_height: BoxSide | None = Field(
        None, alias="height", description="Height of the box (for lines and polygons: to fit)."
    )
    radius: float = Field(0.0, ge=0, le=MAX_RADIUS, description="A rect's corner radius.")
    points: list[tuple[Coordinate, Coordinate]] | None = Field(
        None,
        max_length=MAX_POINTS,
        description="A line's two points or a polygon's corners, [x, y] in the box.",
    )
    cap: Literal["round", "square", "butt"] | None = Field(None, description="A line's ends.")
    fill: Fill | None = Field(
        None, description="A color or a gradient (default white); 'transparent' for none."
    )
    stroke: ShapeStroke | None = Field(
        None, description="An outline inside the edge; a line's look."
    )

    @field_validator("radius", "points", "cap", "fill")
    @classmethod
    def _belongs(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("shape")
        if kind is None or value is None:
            return value
        name = info.field_name
        if name == "radius" and kind != "rect" and value:
            raise ValueError(f"only a rect has a corner radius (this is a {kind})")
        if name == "cap" and kind != "line":
            raise ValueError(f"only a line has caps (this is a {kind})")
        if name == "fill" and kind == "line":
            raise ValueError("a line has no fill: its color and width are its stroke's")
        if name == "points":
            if kind not in ("line", "polygon"):
                raise ValueError(f"a {kind} is its box (width and height), not points")
            if kind == "line" and len(value) != 2:
                raise ValueError(f"a line has exactly two points (got {len(value)})")
            if kind == "polygon" and len(value) < 3:
                raise ValueError(f"a polygon needs at least 3 points (got {len(value)})")
            if kind == "line" and value[0] == value[1]:
                raise ValueError("a line's two points must differ")
        return value

    @model_validator(mode="after")
    def _complete(self) -> _Shape:
        kind, width, height = self.shape, self.box_width, self.box_height
        if kind in ("rect", "ellipse") and (width is None or height is None):
            raise ValueError(f"a {kind} needs a width and a height (pixels)")
        if kind == "circle":
            if width is None and height is None:
                raise ValueError("a circle needs a width (its diameter, in pixels)")
            if width is not None and height is not None and width != height:
                raise ValueError(
                    f"a circle's width and height are its diameter: give one, or use an "
                    f"ellipse (got {width} and {height})"
                )
        if kind in ("line", "polygon") and self.points is None:
            example = "[[x, y], [x, y]]" if kind == "line" else "[[x, y], [x, y], [x, y], ...]"
            raise ValueError(f"a {kind} needs points: {example}")
        return self


class ShapeLayer(Timed, _Shape, Blended):
    type: Literal["shape"]


class ShapeOverlay(Timing, _Shape):
    type: Literal["shape"]


@dataclass(frozen=True, kw_only=True)
class ResolvedShape(ResolvedLayer):
    spec: ShapeLayer
    #: The drawn shape, and its size (the box).
    src: Path
    size: tuple[int, int]
    #: Whether it paints every pixel of the frame, opaquely.
    covers: bool = False

    def moved(self, move: Mover) -> ResolvedShape:
        return replace(self, src=move(self.src, "file", ()))


def _outline(spec: _Shape) -> Outline:
    from engine.resolve.shapes import Outline

    line = spec.shape == "line"
    return Outline(
        kind=spec.shape,
        width=spec.box_width,
        height=spec.box_height or (spec.box_width if spec.shape == "circle" else None),
        points=tuple(spec.points or ()),
        radius=spec.radius,
        thickness=(spec.stroke or ShapeStroke()).width if line else 0.0,
        cap=spec.cap or "round",
    )


def _paint(spec: _Shape) -> tuple[str | Gradient | None, tuple[str, float] | None]:
    """The fill and the stroke (color, width) to draw: a line is its stroke, filled."""
    from engine.resolve.shapes import Gradient

    if spec.shape == "line":
        return (spec.stroke or ShapeStroke()).color, None
    stroke = (spec.stroke.color, spec.stroke.width) if spec.stroke else None
    fill = spec.fill if spec.fill is not None else "#ffffff"
    if isinstance(fill, GradientFill):
        return Gradient(tuple(fill.colors), fill.angle, fill.kind), stroke
    return fill, stroke


def _opaque(spec: _Shape) -> bool:
    fill = spec.fill if spec.fill is not None else "#ffffff"
    colors = fill.colors if isinstance(fill, GradientFill) else [fill]
    if spec.stroke is not None:
        colors = [*colors, spec.stroke.color]
    return all(color_rgba(c)[3] == 255 for c in colors)


def _draw(ctx: ResolveContext, path: PathKey, spec: _Shape) -> tuple[Path, tuple[int, int]] | None:
    from engine.resolve.shapes import shape_image

    fill, stroke = _paint(spec)
    return ctx.attempt(path, lambda: shape_image(_outline(spec), fill, stroke, ctx.frame))


class ShapeType(LayerType):
    model = ShapeLayer
    overlay = ShapeOverlay

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: ShapeLayer) -> ResolvedShape | None:
        drawn = _draw(ctx, path, spec)
        if drawn is None:
            return None
        src, size = drawn
        x, y = anchor_xy(
            spec.position, ctx.frame, size, spec.margin, spec.offset, fixed(spec.x), fixed(spec.y)
        )
        whole = x <= 0 and y <= 0 and x + size[0] >= ctx.frame[0] and y + size[1] >= ctx.frame[1]
        square = spec.shape == "rect" and spec.radius < 1 / 4  # corners drawn whole
        return ResolvedShape(
            spec=spec, src=src, size=size, covers=whole and square and _opaque(spec)
        )

    def draw_overlay(
        self, ctx: ResolveContext, path: PathKey, spec: ShapeOverlay
    ) -> tuple[Path, tuple[int, int]] | None:
        return _draw(ctx, path, spec)

    def compile(self, ctx: SceneContext, layer: ResolvedShape) -> LayerStream:
        return drawn_sprite(ctx, layer.spec, layer.size, str(layer.src))

    def covers_frame(self, layer: ResolvedShape, default_fit: str) -> bool:
        return layer.covers


TYPE = ShapeType()
