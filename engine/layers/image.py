"""``image``: a still picture, fitted to the frame (contain, cover, fill, blur) with optional
Ken Burns zoom and pan, or placed like a sprite (``fit: none``), then optionally framed with
rounded corners, a border and a shadow; also an overlay."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from engine.compile.framed import framed_stream, own_time
from engine.compile.graph import f, num
from engine.compile.pictures import (
    LayerStream,
    canonical,
    fit_chain,
    has_alpha,
    hold,
    picture_background,
    picture_format,
    placed_sprite,
    sprite_frames,
    still_input,
)
from engine.compile.window import window_filters
from engine.layers.base import LayerType, PathKey
from engine.layers.placing import placed_frame
from engine.resolved import Framed, MediaInfo, Mover, ResolvedLayer
from engine.spec.animation import CropWindow, PlacedMoving
from engine.spec.common import MAX_LENGTH_PX, Background, PathStr, PlacedFit
from engine.spec.effects import Blended, WithEffects
from engine.spec.frame import Decoration
from engine.spec.parts import Pan, Timed, Timing, Zoom

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class ImageLayer(Timed, PlacedMoving, Blended, Decoration):
    type: Literal["image"]
    src: PathStr
    fit: PlacedFit | None = Field(
        None, description="How the image fills the frame; 'none' places it like an overlay."
    )
    background: Background | None = Field(
        None, description="What shows around a 'contain' image: a color, or a blurred copy."
    )
    zoom: Zoom | None = None
    pan: Pan | None = None
    crop: CropWindow | None = Field(
        None, description="The part of the picture shown, covering the frame; may move."
    )
    width: int | None = Field(
        None, gt=0, le=MAX_LENGTH_PX, description="With fit 'none': scale to this width."
    )

    @model_validator(mode="after")
    def _decorates_a_placed_image(self) -> ImageLayer:
        if self.crop is not None and (self.fit == "none" or self.zoom or self.pan):
            raise ValueError(
                "crop shows part of a full-frame picture: not with fit: none, zoom or pan "
                "(a crop window that moves is a zoom and pan of its own)"
            )
        if self.decorated and self.fit != "none":
            raise ValueError("radius, border and shadow frame a placed image: give it fit: none")
        band = self.border.width if self.border else 0
        if self.width is not None and self.width <= 2 * band:
            raise ValueError(f"a border of {band} pixels leaves no room in {self.width} pixels")
        return self


class ImageOverlay(Timing, PlacedMoving, WithEffects):
    type: Literal["image"]
    src: PathStr
    width: int | None = Field(
        None, gt=0, le=MAX_LENGTH_PX, description="Scale to this width (keeps aspect)."
    )


@dataclass(frozen=True, kw_only=True)
class ResolvedImage(ResolvedLayer):
    spec: ImageLayer
    src: Path
    media: MediaInfo
    #: A placed image with decoration: where its frame lies (None: without decoration).
    framed: Framed | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.media.size

    def moved(self, move: Mover) -> ResolvedImage:
        framed = self.framed.moved(move) if self.framed else None
        return replace(self, src=move(self.src, "file", ()), framed=framed)


def _drawn_box(spec: ImageLayer, media: MediaInfo, frame: tuple[int, int]) -> tuple[int, int]:
    """The largest size the picture is drawn at: the frame (twice it for Ken Burns motion,
    which works at twice the frame size), or its own width when placed; a placed picture at
    its own size is shown pixel for pixel (no box)."""
    if spec.fit == "none":
        if spec.width and media.width and media.height:
            return spec.width, round(media.height * spec.width / media.width)
        return (0, 0)
    scale = 2 if (spec.zoom or spec.pan) else 1
    return frame[0] * scale, frame[1] * scale


def _even_height(w: int, h: int, width: int) -> int:
    return max(2, round(h * width / w / 2) * 2)


class ImageType(LayerType):
    model = ImageLayer
    overlay = ImageOverlay

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: ImageLayer) -> ResolvedImage | None:
        src = ctx.source(spec.src)
        media = ctx.media((*path, "src"), src, "picture")
        if media is None:
            return None
        shrunk = ctx.small_enough((*path, "src"), src, media, _drawn_box(spec, media, ctx.frame))
        if shrunk is None:
            return None
        framed = None
        if spec.decorated:
            framed = placed_frame(ctx, path, spec, shrunk[1].size, has_alpha(media), "fill")
            if framed is None:
                return None
        return ResolvedImage(spec=spec, src=shrunk[0], media=shrunk[1], framed=framed)

    def draw_overlay(
        self, ctx: ResolveContext, path: PathKey, spec: ImageOverlay
    ) -> tuple[Path, tuple[int, int]] | None:
        src = ctx.source(spec.src)
        media = ctx.media((*path, "src"), src, "picture")
        if media is None:
            return None
        if spec.width and media.width and media.height:
            box = (spec.width, round(media.height * spec.width / media.width))
            shrunk = ctx.small_enough((*path, "src"), src, media, box)
            if shrunk is None:
                return None
            src, media = shrunk
        return src, media.size

    def compile(self, ctx: SceneContext, layer: ResolvedImage) -> LayerStream:
        spec = layer.spec
        canvas = ctx.canvas
        fit = spec.fit or ctx.fit
        if layer.framed is not None:
            ctx = own_time(ctx, layer.window, layer.framed)
            still = LayerStream("", full=False, src=str(layer.src), prep=(f("format", "rgba"),))
            head = sprite_frames(ctx.g, still, ctx.frames, canvas.fps)
            alpha = has_alpha(layer.media)
            return framed_stream(ctx, head, layer.size, layer.framed, "lanczos", [], alpha)
        if fit == "none":
            w, h = layer.size
            scaled = (spec.width, _even_height(w, h, spec.width)) if spec.width else (w, h)
            filters = [f("scale", *scaled, flags="lanczos")] if spec.width else []
            return placed_sprite(ctx, spec, scaled, str(layer.src), (*filters, f("format", "rgba")))
        source = still_input(ctx.g, str(layer.src), canvas.fps)
        opaque = not has_alpha(layer.media)
        if spec.zoom or spec.pan:
            return LayerStream(_ken_burns(ctx, source, layer), full=True, opaque=opaque)
        if spec.crop is not None:
            # The scene's frame n is the layer's frame n - start: its window counts from there.
            window = window_filters(
                spec.crop,
                layer.size,
                canvas.size,
                ctx.frames,
                canvas.fps,
                layer.window.origin,
                layer.window.start,
            )
            chain = [*canonical(picture_format(ctx, layer.media)), *hold(ctx.frames), *window]
            label = ctx.g.one([source], [*chain, *canonical(picture_format(ctx, layer.media))])
            return LayerStream(label, full=True, opaque=opaque)
        tail = [*canonical(picture_format(ctx, layer.media)), *hold(ctx.frames)]
        background = picture_background(layer.media, spec.background)
        label = fit_chain(ctx, source, layer.size, fit, background, "lanczos", tail)
        return LayerStream(label, full=True, opaque=opaque)

    def covers_frame(self, layer: ResolvedImage, default_fit: str) -> bool:
        return not has_alpha(layer.media) and (layer.spec.fit or default_fit) != "none"


def _ken_burns(ctx: SceneContext, source: str, layer: ResolvedImage) -> str:
    """Zoom and pan with ``zoompan`` over the fitted picture at twice the frame size, so the
    crop window moves in half-pixel steps of the output (no visible judder)."""
    spec = layer.spec
    canvas = ctx.canvas
    W, H = canvas.size
    big = (2 * W, 2 * H)
    z0, z1 = (spec.zoom.from_, spec.zoom.to) if spec.zoom else (1.0, 1.0)
    (px0, py0), (px1, py1) = (spec.pan.from_, spec.pan.to) if spec.pan else ((0.5, 0.5),) * 2
    last = max(1, ctx.frames - 1)
    progress = f"on/{last}"

    def lerp(a: float, b: float) -> str:
        return num(a) if a == b else f"({num(a)}+({num(b - a)})*{progress})"

    zoom = lerp(z0, z1)
    x = f"{lerp(px0, px1)}*(iw-iw/zoom)"
    y = f"{lerp(py0, py1)}*(ih-ih/zoom)"
    zoompan = [
        f("zoompan", z=zoom, x=x, y=y, d=ctx.frames, s=f"{W}x{H}", fps=str(canvas.fps)),
        *canonical(picture_format(ctx, layer.media)),
        f("setpts", "N"),
    ]
    fit = spec.fit if spec.fit not in (None, "none") else ctx.fit
    background = picture_background(layer.media, spec.background)
    return fit_chain(ctx, source, layer.size, fit, background, "lanczos", zoompan, big)


TYPE = ImageType()
