"""``video``: a clip, trimmed, sped up or slowed down, looped, reversed or frozen on one frame,
fitted to the frame, with its own sound; optionally every frame passed through an
image-to-image model on its way in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from engine.compile.clips import (
    frozen_frame,
    loop_samples,
    looped_sound,
    pass_sound,
    played_frames,
    repeated,
    shown_frames,
)
from engine.compile.graph import Filter, f, num
from engine.compile.pictures import (
    LayerStream,
    canonical,
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
from engine.spec.common import Background, Fit, Model, PathStr, Seconds
from engine.spec.effects import Blended
from engine.spec.motion import RANGE, TRUST, ValueRange
from engine.spec.parts import Trim
from engine.timebase import exact, frame_at, frames_to_samples, microseconds_down

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


class VideoLayer(Blended):
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
    loop: bool = Field(
        False, description="Repeat the (trimmed) clip, pictures and sound, to fill its scene."
    )
    reverse: bool = Field(False, description="Play the trimmed clip backwards.")
    freeze: Seconds | None = Field(
        None,
        description="Show the one frame of the (untrimmed) clip nearest this time, in "
        "seconds, for the whole layer, without sound.",
    )


@dataclass(frozen=True, kw_only=True)
class ResolvedVideo(ResolvedLayer):
    spec: VideoLayer
    src: Path
    media: MediaInfo
    #: The pictures' shown size (a frame model's: the size it works at).
    size: tuple[int, int]
    #: Seconds the trimmed clip plays once, after its speed change (``length``, the time it
    #: gives its scene, is None for a looped or frozen clip: it fits any scene).
    plays: Fraction
    #: Output frames one pass of the clip shows: ``plays`` rounded once to frames (at least
    #: one). What a looped clip repeats and a reversed one turns round.
    pass_frames: int
    #: A frozen clip: where its input is sought (engine/resolve/clips.py, ``frozen_at``).
    still_at: Fraction | None = None
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
        from engine.resolve.clips import frozen_at, held_pass, trimmed_length

        src = ctx.source(spec.src)
        media = ctx.media((*path, "src"), src, "clip")
        if media is None:
            return None
        if spec.freeze is not None:
            written = {
                "trim": spec.trim.start > 0 or spec.trim.end is not None,
                "speed": spec.speed != 1,
                "loop": spec.loop,
                "reverse": spec.reverse,
                "model": spec.model is not None,
            }
            taken = [key for key, wrote in written.items() if wrote]
            at = frozen_at(ctx, path, spec.freeze, spec.src, media, taken)
            if at is None:
                return None
            return ResolvedVideo(
                spec=spec, src=src, media=media, size=media.size, plays=Fraction(0),
                pass_frames=1, still_at=at,
            )  # fmt: skip
        trimmed = trimmed_length(ctx, path, spec.trim, spec.src, media)
        if trimmed is None:
            return None
        plays = trimmed / exact(spec.speed)
        pass_frames = max(1, frame_at(plays, ctx.fps))
        model = _frame_model(ctx, path, spec.model, media.size) if spec.model else None
        if spec.model is not None and model is None:
            return None
        if spec.loop or spec.reverse:
            # The pass is held after fitting, at the output's size (at the model's, in the
            # second ffmpeg that feeds a model).
            in_size = model.in_size if model and model.in_size else (0, 0)
            frame = max(ctx.frame, in_size, key=lambda side: side[0] * side[1])
            what = "reverse" if spec.reverse else "loop"
            sound = spec.audio and media.has_audio and spec.volume > 0
            if not held_pass(ctx, (*path, what), what, pass_frames, frame, sound=sound):
                return None
        return ResolvedVideo(
            spec=spec,
            src=src,
            media=media,
            size=model.out_size if model else media.size,
            length=None if spec.loop else plays,
            plays=plays,
            pass_frames=pass_frames,
            model=model,
        )

    def compile(self, ctx: SceneContext, layer: ResolvedVideo) -> LayerStream:
        if layer.model is not None:
            return _through_model(ctx, layer, layer.model)
        spec = layer.spec
        fps = ctx.canvas.fps
        if layer.still_at is not None:
            # One frame: the one on screen at the point sought (``frozen_at``).
            index = ctx.g.add_input(str(layer.src), "-noaccurate_seek", "-ss", num(layer.still_at))
            picked, held = frozen_frame(fps, ctx.frames)
            head = ctx.g.one([f"{index}:v"], [*picked, *tone_mapped(layer.media)])
            tail = [*canonical(picture_format(ctx, layer.media)), *held]
        else:
            index = ctx.g.add_input(str(layer.src), *input_options(layer, ctx.frames, fps))
            head = ctx.g.one([f"{index}:v"], [*clip_timing(layer), *tone_mapped(layer.media)])
            played = played_frames(
                fps, ctx.frames, layer.pass_frames, reverse=spec.reverse, loop=spec.loop
            )
            tail = [*canonical(picture_format(ctx, layer.media)), *played]
        background = picture_background(layer.media, spec.background)
        label = fit_chain(ctx, head, layer.size, spec.fit or ctx.fit, background, "bicubic", tail)
        return LayerStream(label, full=True, opaque=not has_alpha(layer.media))

    def covers_frame(self, layer: ResolvedVideo, default_fit: str) -> bool:
        return not has_alpha(layer.media)

    def has_sound(self, layer: ResolvedVideo) -> bool:
        spec = layer.spec
        frozen = layer.still_at is not None
        return bool(spec.audio and layer.media.has_audio and spec.volume > 0 and not frozen)

    def sounds(self, sounds: Sounds, scene: ResolvedScene, layer: ResolvedVideo) -> list[str]:
        """The clip's own sound, from the scene's first frame (in step with its pictures) for
        as long as the clip plays in the scene: looped, for the whole scene; reversed, for its
        pass of frames, backwards."""
        spec = layer.spec
        if not self.has_sound(layer):
            return []
        fps, rate, passes = sounds.fps, sounds.rate, layer.pass_frames
        start = frames_to_samples(scene.first_frame, fps, rate)
        if spec.loop:
            plays = Fraction(scene.frames) / fps
        elif spec.reverse:
            plays = Fraction(min(scene.frames, passes)) / fps
        else:
            plays = min(Fraction(scene.frames) / fps, layer.plays)
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
        ]
        if spec.loop and scene.frames > passes:
            filters += pass_sound(loop_samples(passes, fps, rate), reverse=spec.reverse)
            filters += looped_sound(scene.first_frame, passes, fps, rate)
        elif spec.reverse:
            # The whole pass is turned round, however little of it the scene shows.
            whole = frames_to_samples(scene.first_frame + passes, fps, rate) - start
            filters += pass_sound(whole, reverse=True)
        filters.append(f("atrim", end_sample=length))
        if spec.volume != 1:
            filters.append(f("volume", spec.volume))
        if fade_samples:
            filters.append(f("afade", t="in", ss=0, ns=fade_samples))
        filters += sounds.placed(start)
        return [sounds.g.one([f"{index}:a"], filters, prefix="a")]


def _frame_model(
    ctx: ResolveContext, path: PathKey, option: FrameModel, clip_size: tuple[int, int]
) -> ResolvedModel | None:
    from engine.resolve.models import resolve_frame_model

    model_path = ctx.source(option.path)
    return ctx.attempt(
        (*path, "model"),
        lambda: resolve_frame_model(
            model_path,
            trust=option.trust_model,
            value_range=option.value_range,
            clip_size=clip_size,
            canvas=ctx.frame,
        ),
    )


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
    span = layer.plays * exact(spec.speed) - skipped
    filters = [f("trim", end=microseconds_down(max(Fraction(0), span)))]
    if spec.speed != 1:
        filters.append(f("setpts", f"PTS/{num(spec.speed)}"))
    return filters


def input_options(layer: ResolvedVideo, frames: int, fps: Fraction) -> tuple[str, ...]:
    """Seek and limit on the input side, so ffmpeg decodes only the part a scene shows (all of
    a reversed clip's pass, at most one pass of a looped one)."""
    spec = layer.spec
    shown = shown_frames(frames, layer.pass_frames, reverse=spec.reverse, loop=spec.loop)
    needed = float(Fraction(shown) / fps) * spec.speed
    available = float(layer.plays) * spec.speed
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
    width, height = model.in_size
    scaled = [
        f("scale", width, height, force_original_aspect_ratio="increase", flags="bicubic"),
        f("crop", width, height),
        f("format", "rgb24"),
    ]
    turned = spec.loop or spec.reverse
    # A looped or reversed clip is decoded from its start: which pass frame shows where
    # depends on the whole pass; a clip played once is sought to the window's first frame.
    first = 0 if turned else a
    shown = shown_frames(b, layer.pass_frames, reverse=spec.reverse, loop=spec.loop) - first
    needed = Fraction(shown) / fps * Fraction(spec.speed).limit_denominator(10_000)
    available = float(layer.plays) * spec.speed
    skip = float(Fraction(first) / fps) * spec.speed
    start = spec.trim.start + skip
    steps = [
        # The same frames, at the same times, as the clip without a model would show.
        *clip_timing(layer, Fraction(first) / fps * exact(spec.speed)),
        f("tpad", stop_mode="clone", stop=-1),
        on_the_tick(fps),
        *scaled,
    ]
    if turned:
        steps += repeated(b, layer.pass_frames, reverse=spec.reverse, loop=spec.loop)
        steps += [f("trim", start_frame=a or None), f("setpts", "PTS-STARTPTS")]
    decode = [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        *(["-ss", num(start)] if start else []),
        "-t", num(max(0.0, min(float(needed), available - skip))),
        "-i", str(layer.src),
        "-vf", ",".join(str(step) for step in steps),
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
