"""``color``: one solid color filling the frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from engine.compile.pictures import LayerStream, canonical, color_frames, opaque_colors
from engine.layers.base import LayerType, PathKey
from engine.resolved import ResolvedLayer
from engine.spec.animation import Moving
from engine.spec.common import Color
from engine.spec.effects import Blended, ColourEffects

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class ColorLayer(Moving, Blended):
    type: Literal["color"]
    color: Color = "#000000"
    effects: ColourEffects = Field(
        default_factory=list,
        description="Colour effects: brightness, contrast, saturation, gamma, hue, lut, vignette.",
    )


@dataclass(frozen=True, kw_only=True)
class ResolvedColor(ResolvedLayer):
    spec: ColorLayer


class ColorType(LayerType):
    model = ColorLayer

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: ColorLayer) -> ResolvedColor:
        return ResolvedColor(spec=spec)

    def compile(self, ctx: SceneContext, layer: ResolvedColor) -> LayerStream:
        color = layer.spec.color
        label = color_frames(ctx.g, ctx.canvas, ctx.frames, color)
        if ctx.look:
            pix = ctx.canvas.pix_fmt if opaque_colors(color) else "yuva420p"
            label = ctx.g.one([ctx.look.apply(ctx.g, label, ctx.canvas.size)], canonical(pix))
        return LayerStream(label, full=True, opaque=opaque_colors(color))

    def covers_frame(self, layer: ResolvedColor, default_fit: str) -> bool:
        return opaque_colors(layer.spec.color)


TYPE = ColorType()
