"""``video``: a clip, trimmed, sped up or slowed down, fitted to the frame, with its own sound;
optionally every frame passed through an image-to-image model on its way in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from engine.compile.graph import Filter, f, num
from engine.compile.pictures import (
    LayerStream,
    canonical,
    conform,
    feed_stream,
    fit_chain,
    has_alpha,
    on_the_tick,
    picture_background,
    picture_format,
    tone_mapped,
)
from engine.compile.sounds import atempo
from engine.feeds import FrameModelFeed
from engine.layers.base import LayerType, PathKey
from engine.resolved import MediaInfo, Mover, ResolvedLayer, ResolvedModel, ResolvedScene
from engine.spec.common import Background, Fit, Model, PathStr
from engine.spec.motion import RANGE, TRUST, ValueRange
from engine.spec.parts import Trim
from engine.timebase import exact, frames_to_samples, microseconds_down

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.compile.sounds import Sounds
    from engine.resolve.context import ResolveContext


class FrameModel(Model):
    """An image-to-image model every frame of a clip is passed through."""

    path: PathStr = Field(description="A Keras model file (.keras), relative to the spec.")
    batch: int = Field(8, ge=1, le=1024, description="Frames per model call.")
    trust_model: bool = Field(False, description=TRUST)
    value_range: ValueRange = Field("auto", description=RANGE)

    @model_validator(mode="after")
    def _named(self) -> FrameModel:
        if not self.path.strip():
            raise ValueError("path must name a model file")
        return self


def _model_shorthand(value: object) -> object:
    return {"path": value} if isinstance(value, str) else value


FrameModelOption = Annotated[FrameModel, BeforeValidator(_model_shorthand)]


class VideoLayer(Model):
    type: Literal["video"]
    src: PathStr
    trim: Trim = Field(default_factory=Trim)
    speed: float = Field(1.0, gt=0.0625, le=16)
    volume: float = Field(1.0, ge=0, le=10)
    audio: bool = Field(True, description="Keep the clip's own sound.")
    fit: Fit | None = None
    background: Background | None = None
    model: FrameModelOption | None = Field(
        None, description="Pass every frame through an image-to-image model (path or object)."
    )


@dataclass(frozen=True, kw_only=True)
class ResolvedVideo(ResolvedLayer):
    spec: VideoLayer
    src: Path
    media: MediaInfo
    #: The pictures' shown size (a frame model's: the size it works at).
    size: tuple[int, int]
    #: Seconds the trimmed clip plays, after its speed change.
    length: Fraction
    model: ResolvedModel | None = None

    def moved(self, move: Mover) -> ResolvedVideo:
        model = replace(self.model, path=move(self.model.path, "model", ())) if self.model else None
        return replace(self, src=move(self.src, "file", ()), model=model)


#: A clip's sound may start after its pictures, or have gaps: it is kept in step with its
#: timestamps (silence fills a late start or a gap, overlap is dropped) once the drift is
#: over this many seconds — under a frame at any rate reelspec allows.
_SYNC_TOLERANCE = 0.004
#: The shortest fade that keeps a cut from clicking.
_DECLICK = Fraction(1, 100)


class VideoType(LayerType):
    model = VideoLayer

    def resolve(self, ctx: ResolveContext, path: PathKey, spec: VideoLayer) -> ResolvedVideo | None:
        src = ctx.source(spec.src)
        media = ctx.media((*path, "src"), src, "clip")
        if media is None:
            return None
        available = media.duration or Fraction(0)
        trim_start = exact(spec.trim.start)
        end = exact(spec.trim.end) if spec.trim.end is not None else available
        if trim_start >= available:
            ctx.add(
                (*path, "trim", "start"),
                f"trim.start {spec.trim.start:g}s is past the end of {spec.src} "
                f"({float(available):g}s)",
            )
            return None
        if end > available + Fraction(1, 1000):
            ctx.add(
                (*path, "trim", "end"),
                f"trim.end {float(end):g}s is past the end of {spec.src} ({float(available):g}s)",
            )
            return None
        length = (min(end, available) - trim_start) / exact(spec.speed)
        size = media.size
        model = None
        if spec.model is not None:
            from engine.resolve.models import resolve_frame_model

            option, model_path = spec.model, ctx.source(spec.model.path)
            model = ctx.attempt(
                (*path, "model"),
                lambda: resolve_frame_model(
                    model_path,
                    trust=option.trust_model,
                    value_range=option.value_range,
                    clip_size=size,
                    canvas=ctx.frame,
                ),
            )
            if model is None:
                return None
            size = model.out_size
        return ResolvedVideo(spec=spec, src=src, media=media, size=size, length=length, model=model)

    def compile(self, ctx: SceneContext, layer: ResolvedVideo) -> LayerStream:
        if layer.model is not None:
            return _through_model(ctx, layer, layer.model)
        spec = layer.spec
        index = ctx.g.add_input(str(layer.src), *input_options(layer, ctx.frames, ctx.canvas.fps))
        head = ctx.g.one([f"{index}:v"], [*clip_timing(layer), *tone_mapped(layer.media)])
        tail = [*canonical(picture_format(ctx, layer.media)), *conform(ctx)]
        background = picture_background(layer.media, spec.background)
        label = fit_chain(ctx, head, layer.size, spec.fit or ctx.fit, background, "bicubic", tail)
        return LayerStream(label, full=True, opaque=not has_alpha(layer.media))

    def covers_frame(self, layer: ResolvedVideo, default_fit: str) -> bool:
        return not has_alpha(layer.media)

    def has_sound(self, layer: ResolvedVideo) -> bool:
        spec = layer.spec
        return bool(spec.audio and layer.media.has_audio and spec.volume > 0)

    def sounds(self, sounds: Sounds, scene: ResolvedScene, layer: ResolvedVideo) -> list[str]:
        """The clip's own sound, from the scene's first frame (in step with its pictures) for
        as long as the clip plays in the scene."""
        spec = layer.spec
        if not self.has_sound(layer):
            return []
        fps = sounds.fps
        start = frames_to_samples(scene.first_frame, fps, sounds.rate)
        plays = min(Fraction(scene.frames) / fps, layer.length)
        length = round((Fraction(scene.first_frame) / fps + plays) * sounds.rate) - start
        if not sounds.heard(start, length):
            return []
        index = sounds.g.add_input(str(layer.src), *input_options(layer, scene.frames, fps))
        # A short fade where scenes cross, so a cut never clicks; over the transition when the
        # scene enters with one.
        # The transition's own length, as the spec wrote it: a ramp, not a place in time.
        fade = exact(scene.transition.duration) if scene.transition else _DECLICK
        fade_samples = min(round(fade * sounds.rate), length // 2)
        filters = [
            f(
                "aresample",
                sounds.rate,
                async_=1,
                first_pts=0,
                min_hard_comp=num(_SYNC_TOLERANCE),
            ),
            *atempo(spec.speed),
            *sounds.normal(),
            f("atrim", end_sample=length),
        ]
        if spec.volume != 1:
            filters.append(f("volume", spec.volume))
        if fade_samples:
            filters.append(f("afade", t="in", ss=0, ns=fade_samples))
        filters += sounds.placed(start)
        return [sounds.g.one([f"{index}:a"], filters, prefix="a")]


def clip_timing(layer: ResolvedVideo, skipped: Fraction = Fraction(0)) -> list[Filter]:
    """A clip's frames on its own timeline: time 0 is where the input was sought to
    (``trim.start``, plus ``skipped`` seconds of the clip a window does not show), nothing at
    or after the trimmed end, then sped up or slowed down.

    The times are kept as they come, not shifted to start at the first frame: after a seek,
    the first frame kept is the first one that begins after the seek point, and moving it to
    0 showed every frame of a trimmed clip early. ``-t`` on the input may let one frame past
    the end through; the ``trim`` takes it out — on the source's own times, before the speed
    change, so a frame that begins exactly at ``trim.end`` stays out whatever the speed."""
    spec = layer.spec
    span = layer.length * exact(spec.speed) - skipped
    filters = [f("trim", end=microseconds_down(max(Fraction(0), span)))]
    if spec.speed != 1:
        filters.append(f("setpts", f"PTS/{num(spec.speed)}"))
    return filters


def input_options(layer: ResolvedVideo, frames: int, fps: Fraction) -> tuple[str, ...]:
    """Seek and limit on the input side, so ffmpeg decodes only the part a scene shows."""
    spec = layer.spec
    needed = float(Fraction(frames) / fps) * spec.speed
    available = float(layer.length) * spec.speed
    options: list[str] = []
    if spec.trim.start:
        options += ["-ss", num(spec.trim.start)]
    options += ["-t", num(min(needed, available))]
    return tuple(options)


def _through_model(ctx: SceneContext, layer: ResolvedVideo, model: ResolvedModel) -> LayerStream:
    """A clip whose every frame goes through an image-to-image model on its way in: a second
    ffmpeg decodes the frames the window shows, the model restyles them, a pipe feeds them."""
    spec = layer.spec
    assert model.in_size is not None
    fps = ctx.canvas.fps
    a, b = ctx.shown
    needed = Fraction(b - a) / fps * Fraction(spec.speed).limit_denominator(10_000)
    available = float(layer.length) * spec.speed
    skip = float(Fraction(a) / fps) * spec.speed
    start = spec.trim.start + skip
    width, height = model.in_size
    decode = [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        *(["-ss", num(start)] if start else []),
        "-t", num(max(0.0, min(float(needed), available - skip))),
        "-i", str(layer.src),
        "-vf", ",".join(str(step) for step in [
            # The same frames, at the same times, as the clip without a model would show.
            *clip_timing(layer, Fraction(a) / fps * exact(spec.speed)),
            f("tpad", stop_mode="clone", stop=-1),
            on_the_tick(fps),
            f("scale", width, height, force_original_aspect_ratio="increase", flags="bicubic"),
            f("crop", width, height),
            f("format", "rgb24"),
        ]),
        "-frames:v", str(b - a), "-an", "-f", "rawvideo", "pipe:1",
    ]  # fmt: skip
    feed = FrameModelFeed(
        pipe=ctx.g.next_pipe(),
        model=str(model.path),
        model_sha256=model.sha256,
        trust_model=model.trust,
        value_range=model.value_range,
        width=width,
        height=height,
        decode=tuple(decode),
        count=b - a,
        batch=spec.model.batch if spec.model else 8,
    )
    return feed_stream(ctx, feed, a, spec.fit, spec.background, "bicubic")


TYPE = VideoType()
