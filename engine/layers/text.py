"""``text``: words drawn by Pillow into a transparent picture and placed like a sprite; also an
overlay, and what burned-in captions are drawn as."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from engine.compile.pictures import LayerStream, drawn_sprite
from engine.layers.base import LayerType, PathKey
from engine.resolved import Mover, ResolvedLayer
from engine.spec.common import MAX_WORD_CHARS, Placed, TextStyle
from engine.spec.effects import Blended, WithEffects
from engine.spec.parts import Timed, Timing

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class TextLayer(Timed, Placed, Blended):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=5000)
    style: TextStyle = Field(default_factory=TextStyle)
    highlights: list[Annotated[str, Field(max_length=MAX_WORD_CHARS)]] = Field(
        default_factory=list,
        max_length=100,
        description="Words or phrases drawn in style.highlight color.",
    )


class TextOverlay(Timing, Placed, WithEffects):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=5000)
    style: TextStyle = Field(default_factory=TextStyle)


@dataclass(frozen=True, kw_only=True)
class ResolvedText(ResolvedLayer):
    spec: TextLayer
    #: The drawn card, and its size.
    src: Path
    size: tuple[int, int]

    def moved(self, move: Mover) -> ResolvedText:
        return replace(self, src=move(self.src, "file", ()))


class TextType(LayerType):
    model = TextLayer
    overlay = TextOverlay

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: TextLayer) -> ResolvedText | None:
        drawn = ctx.text_image(path, spec.text, spec.style, tuple(spec.highlights))
        if drawn is None:
            return None
        return ResolvedText(spec=spec, src=drawn[0], size=drawn[1])

    def draw_overlay(
        self, ctx: ResolveContext, path: PathKey, spec: TextOverlay
    ) -> tuple[Path, tuple[int, int]] | None:
        return ctx.text_image(path, spec.text, spec.style)

    def caption(self, text: str, style: TextStyle, position: str, margin: int) -> TextOverlay:
        """A caption (a subtitle cue burned in) as the overlay that draws it; its times are
        set by whoever places it."""
        return TextOverlay.model_validate(
            {"type": self.name, "text": text, "style": style, "position": position,
             "margin": margin}
        )  # fmt: skip

    def compile(self, ctx: SceneContext, layer: ResolvedText) -> LayerStream:
        return drawn_sprite(ctx, layer.spec, layer.size, str(layer.src))


TYPE = TextType()
