"""``generator``: frames made by a generator model (a latent vector in, a picture out) along
a latent motion, streamed into ffmpeg over a pipe (docs/gan.md), over the frame or placed in
a box of its own."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from engine.compile.feeding import feed_stream
from engine.compile.framed import late_stream, own_time
from engine.compile.pictures import LayerStream
from engine.feeds import GeneratorFeed
from engine.layers.base import LayerType, PathKey
from engine.layers.placing import placed_frame
from engine.resolved import Framed, Mover, ResolvedLayer, ResolvedModel
from engine.spec.animation import PlacedMoving
from engine.spec.common import Background, Fit, PathStr, PositiveSeconds
from engine.spec.effects import Blended
from engine.spec.frame import Boxed
from engine.spec.motion import RANGE, TRUST, Keyframes, Motion, ValueRange
from engine.spec.parts import Timed
from engine.timebase import exact, frame_at

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class GeneratorLayer(Timed, PlacedMoving, Boxed, Blended):
    """Frames made by a generator model (latent vector in, picture out), streamed into ffmpeg."""

    type: Literal["generator"]
    model: PathStr = Field(description="A Keras model file (.keras), relative to the spec.")
    seed: int = Field(0, ge=0, lt=2**32)
    motion: Motion = Field(default_factory=lambda: Keyframes(kind="keyframes"))
    duration: PositiveSeconds | None = Field(
        None, description="The layer's length; a scene without a duration takes it."
    )
    truncation: float = Field(
        1.0, gt=0, le=2, description="Latents are scaled by this: below 1, safer, duller frames."
    )
    fit: Fit | None = Field(None, description="How the model's small frames fill the frame.")
    background: Background | None = None
    batch: int = Field(16, ge=1, le=1024, description="Frames generated per model call.")
    trust_model: bool = Field(False, description=TRUST)
    value_range: ValueRange = Field("auto", description=RANGE)
    opacity: float = Field(1.0, ge=0, le=1)


@dataclass(frozen=True, kw_only=True)
class ResolvedGenerator(ResolvedLayer):
    spec: GeneratorLayer
    model: ResolvedModel
    length: Fraction | None = None
    #: Placed in a box of its own (None: it fills the frame).
    framed: Framed | None = None

    def moved(self, move: Mover) -> ResolvedGenerator:
        framed = self.framed.moved(move) if self.framed else None
        model = replace(self.model, path=move(self.model.path, "model", ()))
        return replace(self, model=model, framed=framed)


class GeneratorType(LayerType):
    model = GeneratorLayer

    def resolve(
        self, ctx: ResolveContext, path: PathKey, spec: GeneratorLayer
    ) -> ResolvedGenerator | None:
        from engine.resolve.models import resolve_generator

        model_path = ctx.source(spec.model)
        model = ctx.attempt(
            (*path, "model"),
            lambda: resolve_generator(
                model_path,
                trust=spec.trust_model,
                value_range=spec.value_range,
                points=getattr(spec.motion, "points", ()),
            ),
        )
        if model is None:
            return None
        framed = None
        if spec.placed:
            framed = placed_frame(ctx, path, spec, model.out_size, False)
            if framed is None:
                return None
        duration = exact(spec.start) + exact(spec.duration) if spec.duration is not None else None
        return ResolvedGenerator(spec=spec, model=model, length=duration, framed=framed)

    def compile(self, ctx: SceneContext, layer: ResolvedGenerator) -> LayerStream:
        spec, model = layer.spec, layer.model
        assert model.latent_dim
        ctx = own_time(ctx, layer.window, layer.framed)
        fps = ctx.canvas.fps
        layer_frames = frame_at(exact(spec.duration), fps) if spec.duration else ctx.frames
        layer_frames = max(1, layer_frames)
        a, b = ctx.shown
        end = max(1, min(layer_frames, b))
        first = min(a, end - 1)
        width, height = model.out_size
        feed = GeneratorFeed(
            pipe=ctx.g.next_pipe(),
            model=str(model.path),
            model_sha256=model.sha256,
            trust_model=model.trust,
            value_range=model.value_range,
            latent_dim=model.latent_dim,
            width=width,
            height=height,
            fps=str(fps),
            motion_json=spec.motion.model_dump_json(),
            seed=spec.seed,
            truncation=spec.truncation,
            layer_frames=layer_frames,
            first=first,
            count=end - first,
            batch=spec.batch,
        )
        stream = feed_stream(ctx, feed, first, spec.fit, spec.background, "lanczos", layer.framed)
        return late_stream(ctx, stream, layer.window)

    def covers_frame(self, layer: ResolvedGenerator, default_fit: str) -> bool:
        return layer.framed is None


TYPE = GeneratorType()
