"""``text``: words drawn by Pillow into a transparent picture and placed like a sprite; also an
overlay, and what burned-in captions are drawn as."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from engine.compile.pictures import LayerStream, drawn_sprite, sequence_sprite
from engine.layers.base import LayerType, PathKey
from engine.resolved import Mover, PictureSequence, ResolvedLayer
from engine.spec.animation import PlacedMoving
from engine.spec.common import MAX_WORD_CHARS, TextStyle
from engine.spec.effects import Blended, WithEffects
from engine.spec.parts import Timed, Timing
from engine.spec.text_animation import ANIMATE_FIELD, TextAnimation

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class TextLayer(Timed, PlacedMoving, Blended):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=5000)
    style: TextStyle = Field(default_factory=TextStyle)
    highlights: list[Annotated[str, Field(max_length=MAX_WORD_CHARS)]] = Field(
        default_factory=list,
        max_length=100,
        description="Words or phrases drawn in style.highlight color.",
    )
    animate: TextAnimation | None = ANIMATE_FIELD


class TextOverlay(Timing, PlacedMoving, WithEffects):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=5000)
    style: TextStyle = Field(default_factory=TextStyle)
    animate: TextAnimation | None = ANIMATE_FIELD


@dataclass(frozen=True, kw_only=True)
class ResolvedText(ResolvedLayer):
    spec: TextLayer
    #: The drawn card, and its size.
    src: Path
    size: tuple[int, int]
    #: With ``animate``: the pictures it is revealed by (the card above is then not shown).
    sequence: PictureSequence | None = None

    def moved(self, move: Mover) -> ResolvedText:
        sequence = self.sequence.moved(move) if self.sequence else None
        return replace(self, src=move(self.src, "file", ()), sequence=sequence)


class TextType(LayerType):
    model = TextLayer
    overlay = TextOverlay

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: TextLayer) -> ResolvedText | None:
        highlights = tuple(spec.highlights)
        drawn = ctx.text_image(path, spec.text, spec.style, highlights)
        if drawn is None:
            return None
        sequence = None
        if spec.animate is not None:
            sequence = ctx.text_frames(path, spec.text, spec.style, highlights, spec.animate)
            if sequence is None:
                return None
        return ResolvedText(spec=spec, src=drawn[0], size=drawn[1], sequence=sequence)

    def draw_overlay(
        self, ctx: ResolveContext, path: PathKey, spec: TextOverlay
    ) -> tuple[Path, tuple[int, int]] | None:
        return ctx.text_image(path, spec.text, spec.style)

    def overlay_frames(
        self, ctx: ResolveContext, path: PathKey, spec: TextOverlay
    ) -> PictureSequence | None:
        if spec.animate is None:
            return None
        return ctx.text_frames(path, spec.text, spec.style, (), spec.animate)

    def caption(self, text: str, style: TextStyle, position: str, margin: int) -> TextOverlay:
        """A caption (a subtitle cue burned in) as the overlay that draws it; its times are
        set by whoever places it."""
        return TextOverlay.model_validate(
            {"type": self.name, "text": text, "style": style, "position": position,
             "margin": margin}
        )  # fmt: skip

    def compile(self, ctx: SceneContext, layer: ResolvedText) -> LayerStream:
        stream = drawn_sprite(ctx, layer.spec, layer.size, str(layer.src))
        return sequence_sprite(stream, layer.sequence) if layer.sequence else stream


TYPE = TextType()
