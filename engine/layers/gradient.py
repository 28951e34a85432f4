"""``gradient``: a linear or radial gradient of two or more colors, drawn once at the frame's
size (by numpy, cached by content) and held."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from engine.compile.pictures import (
    LayerStream,
    canonical,
    canvas_picture,
    hold,
    opaque_colors,
    still_input,
)
from engine.layers.base import LayerType, PathKey
from engine.resolved import Mover, ResolvedLayer
from engine.spec.animation import Moving
from engine.spec.common import Color
from engine.spec.effects import Blended

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class GradientLayer(Moving, Blended):
    type: Literal["gradient"]
    kind: Literal["linear", "radial"] = "linear"
    colors: list[Color] = Field(min_length=2, max_length=16)
    angle: float = Field(
        90.0,
        ge=-360,
        le=360,
        description="Direction of a linear gradient in degrees; 90 = down.",
    )


@dataclass(frozen=True, kw_only=True)
class ResolvedGradient(ResolvedLayer):
    spec: GradientLayer
    #: The drawn gradient, at the frame's size.
    src: Path

    def moved(self, move: Mover) -> ResolvedGradient:
        return replace(self, src=move(self.src, "file", ()))


class GradientType(LayerType):
    model = GradientLayer

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: GradientLayer) -> ResolvedGradient:
        from engine.resolve.gradient import gradient_image

        return ResolvedGradient(
            spec=spec, src=gradient_image(spec.colors, spec.angle, spec.kind, *ctx.frame)
        )

    def compile(self, ctx: SceneContext, layer: ResolvedGradient) -> LayerStream:
        source = still_input(ctx.g, str(layer.src), ctx.canvas.fps)
        opaque = opaque_colors(*layer.spec.colors)
        pix = ctx.canvas.pix_fmt if opaque else "yuva420p"
        label = canvas_picture(ctx, source, [*canonical(pix), *hold(ctx.frames)])
        return LayerStream(label, full=True, opaque=opaque)

    def covers_frame(self, layer: ResolvedGradient, default_fit: str) -> bool:
        return opaque_colors(*layer.spec.colors)


TYPE = GradientType()
