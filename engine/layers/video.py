"""``video``: a clip, trimmed, sped up or slowed down, looped, reversed or frozen on one frame,
fitted to the frame or placed in a box of its own (picture in picture), with its own sound;
optionally every frame passed through an image-to-image model on its way in; also an overlay
on the video's timeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from engine.compile.clips import (
    frozen_frame,
    loop_samples,
    looped_sound,
    pass_sound,
    played_frames,
)
from engine.compile.framed import framed_stream, late_stream, own_time
from engine.compile.graph import Filter, f, num
from engine.compile.pictures import (
    LayerStream,
    canonical,
    decoder_options,
    fit_chain,
    has_alpha,
    picture_background,
    picture_format,
    tone_mapped,
)
from engine.compile.reading import clip_timing, input_options, through_model
from engine.compile.sounds import atempo
from engine.compile.window import window_filters
from engine.layers.base import LayerType, PathKey
from engine.layers.placing import placed_frame
from engine.resolved import Framed, MediaInfo, Mover, ResolvedLayer, ResolvedModel, ResolvedScene
from engine.spec.animation import CropWindow, PlacedMoving
from engine.spec.common import Background, Fit, Model, PathStr, Seconds
from engine.spec.effects import Blended
from engine.spec.frame import Boxed
from engine.spec.motion import RANGE, TRUST, ValueRange
from engine.spec.parts import Timed, Timing, Trim
from engine.timebase import exact, frame_at, frames_to_samples

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


class _Clip(PlacedMoving, Boxed):
    """What a clip is, as a layer or an overlay."""

    src: PathStr
    trim: Trim = Field(default_factory=Trim)
    speed: float = Field(1.0, gt=0.0625, le=16)
    volume: float = Field(1.0, ge=0, le=10)
    audio: bool = Field(True, description="Keep the clip's own sound.")
    fit: Fit | None = None
    background: Background | None = None
    loop: bool = Field(
        False, description="Repeat the (trimmed) clip, pictures and sound, to fill its scene."
    )
    reverse: bool = Field(False, description="Play the trimmed clip backwards.")
    freeze: Seconds | None = Field(
        None,
        description="Show the one frame of the (untrimmed) clip nearest this time, in "
        "seconds, for the whole layer, without sound.",
    )
    opacity: float = Field(1.0, ge=0, le=1)


class VideoLayer(Timed, _Clip, Blended):
    type: Literal["video"]
    model: FrameModelOption | None = Field(
        None, description="Pass every frame through an image-to-image model (path or object)."
    )
    crop: CropWindow | None = Field(
        None, description="The part of the clip shown, covering the frame; may move."
    )

    @model_validator(mode="after")
    def _crops_the_frame(self) -> VideoLayer:
        if self.crop is not None and (self.placed or self.model is not None):
            raise ValueError(
                "crop shows part of a full-frame clip: not with a box or a place (width, "
                "height, position, x, y) or a frame model"
            )
        return self


class VideoOverlay(Timing, _Clip):
    """A clip on the video's timeline, always placed (at its own size without a box)."""

    type: Literal["video"]

    @property
    def placed(self) -> bool:
        return True


@dataclass(frozen=True, kw_only=True)
class ResolvedVideo(ResolvedLayer):
    spec: VideoLayer | VideoOverlay
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
    #: Placed in a box of its own (None: it fills the frame).
    framed: Framed | None = None

    def moved(self, move: Mover) -> ResolvedVideo:
        model = replace(self.model, path=move(self.model.path, "model", ())) if self.model else None
        framed = self.framed.moved(move) if self.framed else None
        return replace(self, src=move(self.src, "file", ()), model=model, framed=framed)


#: A clip's sound may start after its pictures, or have gaps: it is kept in step with its
#: timestamps (silence fills a late start or a gap, overlap is dropped) once the drift is
#: over this many seconds — under a frame at any rate reelspec allows.
_SYNC_TOLERANCE = 0.004
#: The shortest fade that keeps a cut from clicking.
_DECLICK = Fraction(1, 100)


class VideoType(LayerType):
    model = VideoLayer
    overlay = VideoOverlay
    moving_overlay = True

    def resolve(
        self, ctx: ResolveContext, path: PathKey, spec: VideoLayer | VideoOverlay
    ) -> ResolvedVideo | None:
        # Long on purpose: the checks of a frozen, a looped or reversed and a modelled clip
        # each lead to one of two resolved forms; split, they would pass half the layer along.
        from engine.resolve.clips import frozen_at, held_pass, trimmed_length

        src = ctx.source(spec.src)
        media = ctx.media((*path, "src"), src, "clip")
        if media is None:
            return None
        wanted = spec.model if isinstance(spec, VideoLayer) else None
        if spec.freeze is not None:
            written = {
                "trim": spec.trim.start > 0 or spec.trim.end is not None,
                "speed": spec.speed != 1,
                "loop": spec.loop,
                "reverse": spec.reverse,
                "model": wanted is not None,
            }
            taken = [key for key, wrote in written.items() if wrote]
            at = frozen_at(ctx, path, spec.freeze, spec.src, media, taken)
            framed = _framed(ctx, path, spec, media.size, has_alpha(media))
            if at is None or framed is False:
                return None
            return ResolvedVideo(
                spec=spec, src=src, media=media, size=media.size, plays=Fraction(0),
                pass_frames=1, still_at=at, framed=framed,
            )  # fmt: skip
        trimmed = trimmed_length(ctx, path, spec.trim, spec.src, media)
        if trimmed is None:
            return None
        plays = trimmed / exact(spec.speed)
        pass_frames = max(1, frame_at(plays, ctx.fps))
        model = _frame_model(ctx, path, wanted, media.size) if wanted else None
        if wanted is not None and model is None:
            return None
        size = model.out_size if model else media.size
        framed = _framed(ctx, path, spec, size, has_alpha(media) and model is None)
        if framed is False:
            return None
        if spec.loop or spec.reverse:
            # The pass is held after fitting, at the output's size or the placed picture's
            # (at the model's, in the second ffmpeg that feeds a model).
            in_size = model.in_size if model and model.in_size else (0, 0)
            shown = framed.picture if framed else ctx.frame
            frame = max(shown, in_size, key=lambda side: side[0] * side[1])
            what = "reverse" if spec.reverse else "loop"
            sound = spec.audio and media.has_audio and spec.volume > 0
            if not held_pass(ctx, (*path, what), what, pass_frames, frame, sound=sound):
                return None
        # A clip that starts late in its scene decides the scene's length from its start.
        late = exact(spec.start) if isinstance(spec, Timed) else Fraction(0)
        return ResolvedVideo(
            spec=spec,
            src=src,
            media=media,
            size=size,
            length=None if spec.loop else late + plays,
            plays=plays,
            pass_frames=pass_frames,
            model=model,
            framed=framed,
        )

    def compile(self, ctx: SceneContext, layer: ResolvedVideo) -> LayerStream:
        ctx = own_time(ctx, layer.window, layer.framed)
        if layer.model is not None:
            return late_stream(ctx, through_model(ctx, layer, layer.model), layer.window)
        spec = layer.spec
        fps = ctx.canvas.fps
        if layer.still_at is not None:
            # One frame: the one on screen at the point sought (``frozen_at``).
            seek = ("-noaccurate_seek", "-ss", num(layer.still_at))
            index = ctx.g.add_input(str(layer.src), *decoder_options(layer.media), *seek)
            picked, timing = frozen_frame(fps, ctx.frames)
            head = ctx.g.one([f"{index}:v"], [*picked, *tone_mapped(layer.media)])
        else:
            index = ctx.g.add_input(str(layer.src), *input_options(layer, ctx.frames, fps))
            head = ctx.g.one([f"{index}:v"], [*clip_timing(layer), *tone_mapped(layer.media)])
            timing = played_frames(
                fps, ctx.frames, layer.pass_frames, reverse=spec.reverse, loop=spec.loop
            )
        alpha = has_alpha(layer.media)
        if layer.framed is not None:
            return framed_stream(ctx, head, layer.size, layer.framed, "bicubic", timing, alpha)
        tail = [*canonical(picture_format(ctx, layer.media)), *timing]
        if isinstance(spec, VideoLayer) and spec.crop is not None:
            canvas = ctx.canvas
            window = window_filters(
                spec.crop, layer.size, canvas.size, ctx.frames, canvas.fps, layer.window.origin
            )
            pix = canonical(picture_format(ctx, layer.media))
            label = ctx.g.one([head], [*tail, *window, *pix])
            return late_stream(ctx, LayerStream(label, full=True, opaque=not alpha), layer.window)
        background = picture_background(layer.media, spec.background)
        label = fit_chain(ctx, head, layer.size, spec.fit or ctx.fit, background, "bicubic", tail)
        return late_stream(ctx, LayerStream(label, full=True, opaque=not alpha), layer.window)

    def covers_frame(self, layer: ResolvedVideo, default_fit: str) -> bool:
        return not has_alpha(layer.media) and layer.framed is None

    def has_sound(self, layer: ResolvedVideo) -> bool:
        spec = layer.spec
        frozen = layer.still_at is not None
        return bool(spec.audio and layer.media.has_audio and spec.volume > 0 and not frozen)

    def sounds(self, sounds: Sounds, scene: ResolvedScene, layer: ResolvedVideo) -> list[str]:
        """The clip's own sound, from its first frame (the scene's, or its ``start`` in the
        scene: in step with its pictures) for as long as the clip plays in its window:
        looped, for the whole window; reversed, for its pass of frames, backwards. Where a
        transition crossfades, it fades in over the one into the scene and out over the one
        out of it (engine/compile/audio.py, ``crossfades``)."""
        # Long on purpose: where the sound starts and ends, how a loop or a reversal makes it,
        # and its fades all depend on one another; split, each part would need all the others.
        spec = layer.spec
        if not self.has_sound(layer):
            return []
        fps, rate, passes = sounds.fps, sounds.rate, layer.pass_frames
        # Its window: the scene's frames, or from its ``start`` in the scene to its ``end``.
        window = layer.window
        first_frame = scene.first_frame + window.start
        first = Fraction(first_frame) / fps
        start = frames_to_samples(first_frame, fps, rate)
        shown = Fraction(window.frames) / fps
        # How long the clip can sound from its first frame (None: for ever, looped).
        lasts = None if spec.loop else Fraction(passes) / fps if spec.reverse else layer.plays
        end = round((first + (shown if lasts is None else min(shown, lasts))) * rate)
        # Crossfades belong to a clip that starts with its scene, or ends with it.
        entering = sounds.entering(scene) if window.start == 0 else None
        leaving = sounds.leaving(scene) if window.end >= scene.frames else None
        frames = window.frames
        if leaving is not None:
            # A transition the timeline rounds to fewer frames than its duration: the sound
            # plays on (by at most a frame) to the end of its fade, where the clip has it; a
            # frame more is decoded for it, and one to spare.
            longer = (
                leaving.end if lasts is None else min(leaving.end, round((first + lasts) * rate))
            )
            if longer > end:
                end, frames = longer, frames + 2
        length = end - start
        if not sounds.heard(start, length):
            return []
        index = sounds.g.add_input(str(layer.src), *input_options(layer, frames, fps))
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
        if spec.loop and frames > passes:
            filters += pass_sound(loop_samples(passes, fps, rate), reverse=spec.reverse)
            filters += looped_sound(first_frame, passes, fps, rate)
        elif spec.reverse:
            # The whole pass is turned round, however little of it the scene shows.
            whole = frames_to_samples(first_frame + passes, fps, rate) - start
            filters += pass_sound(whole, reverse=True)
        filters.append(f("atrim", end_sample=length))
        if spec.volume != 1:
            filters.append(f("volume", spec.volume))
        if entering is not None:
            filters.append(entering.fade("in", start))
        else:
            filters += _declicked(scene if window.start == 0 else None, rate, length)
        if leaving is not None and leaving.start < end:
            filters.append(leaving.fade("out", start))
        filters += sounds.placed(start)
        return [sounds.g.one([f"{index}:a"], filters, prefix="a")]


def _declicked(scene: ResolvedScene | None, rate: int, length: int) -> list[Filter]:
    """The fade in of a clip's sound where no crossfade brings it in: a short one where scenes
    cut, so a cut never clicks; linear, over the whole transition, where it enters with
    ``audio: cut`` (the outgoing clip's sound then plays on to its own scene's end). A clip
    that starts later in its scene (``scene`` None) gets the short one."""
    # The transition's own length, as the spec wrote it: a ramp, not a place in time.
    fade = exact(scene.transition.duration) if scene and scene.transition else _DECLICK
    samples = min(round(fade * rate), length // 2)
    return [f("afade", t="in", ss=0, ns=samples)] if samples else []


def _framed(
    ctx: ResolveContext, path: PathKey, spec: VideoLayer | VideoOverlay, size: Any, alpha: bool
) -> Framed | Literal[False] | None:
    """Where a placed clip lies (None: it fills the frame; False: a problem was recorded)."""
    if not spec.placed:
        return None
    return placed_frame(ctx, path, spec, size, alpha) or False


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


TYPE = VideoType()
