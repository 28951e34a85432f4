"""``color``: one solid color filling the frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from engine.compile.pictures import LayerStream, color_frames, opaque_colors
from engine.layers.base import LayerType, PathKey
from engine.resolved import ResolvedLayer
from engine.spec.animation import Moving
from engine.spec.common import Color

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class ColorLayer(Moving):
    type: Literal["color"]
    color: Color = "#000000"


@dataclass(frozen=True, kw_only=True)
class ResolvedColor(ResolvedLayer):
    spec: ColorLayer


class ColorType(LayerType):
    model = ColorLayer

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: ColorLayer) -> ResolvedColor:
        return ResolvedColor(spec=spec)

    def compile(self, ctx: SceneContext, layer: ResolvedColor) -> LayerStream:
        label = color_frames(ctx.g, ctx.canvas, ctx.frames, layer.spec.color)
        return LayerStream(label, full=True, opaque=opaque_colors(layer.spec.color))

    def covers_frame(self, layer: ResolvedColor, default_fit: str) -> bool:
        return opaque_colors(layer.spec.color)


TYPE = ColorType()
