"""The sound side of the graph: clip audio, narration and music tracks placed on the timeline
at exact sample positions, mixed, and cut to end exactly where the picture ends.

Every source is made the same way: decoded at the output rate with fresh timestamps counted
in samples, cut to its length in samples, then delayed by its start in samples. So a source
is heard exactly where the spec places it, the mix starts at sample 0, and it lasts exactly
``round(frames / fps × rate)`` samples: nothing depends on the timestamps ffmpeg's filters
pass along (``adelay``, for one, hands out its padding with none), and nothing varies from
run to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.compile.graph import Filter, GraphBuilder, f, num
from engine.compile.layers import video_input_options
from engine.resolve.timeline import (
    ResolvedAudio,
    ResolvedScene,
    ResolvedSpec,
    exact,
    sample_at,
)
from engine.spec.layers import VideoLayer
from engine.spec.models import Duck

#: Timestamps counted from the samples themselves.
_FRESH_PTS = f("asetpts", "N/SR/TB")
#: A clip's sound may start after its pictures, or have gaps: it is kept in step with its
#: timestamps (silence fills a late start or a gap, overlap is dropped) once the drift is
#: over this many seconds — under a frame at any rate reelspec allows.
_SYNC_TOLERANCE = 0.004
#: The shortest fade that keeps a cut from clicking.
_DECLICK = Fraction(1, 100)


@dataclass(frozen=True)
class _Sounds:
    """What every source chain needs to know: the builder, the output rate and the window of
    samples being made."""

    g: GraphBuilder
    rate: int
    window: tuple[int, int]

    def normal(self) -> list[Filter]:
        return [
            f("aformat", sample_fmts="fltp", sample_rates=self.rate, channel_layouts="stereo"),
            _FRESH_PTS,
        ]

    def samples(self, seconds: Fraction) -> int:
        return sample_at(seconds, self.rate)

    def heard(self, start: int, length: int) -> bool:
        return length > 0 and start < self.window[1] and start + length > self.window[0]

    def placed(self, start: int) -> list[Filter]:
        """Silence before the source, so it begins at sample ``start`` of the timeline."""
        return [f("adelay", delays=f"{start}S", all=1), _FRESH_PTS] if start else []


def _atempo(speed: float) -> list[Filter]:
    # atempo takes 0.5..2 per instance; chain instances for larger changes.
    filters: list[Filter] = []
    while speed > 2.0:
        filters.append(f("atempo", 2))
        speed /= 2.0
    while speed < 0.5:
        filters.append(f("atempo", 0.5))
        speed /= 0.5
    if abs(speed - 1.0) > 1e-9:
        filters.append(f("atempo", speed))
    return filters


def _clip_sounds(sounds: _Sounds, resolved: ResolvedSpec, scene: ResolvedScene) -> list[str]:
    """The sound of the scene's clips, from the scene's first frame (in step with the
    pictures) for as long as the clip plays in the scene."""
    fps = resolved.fps
    out = []
    for layer in scene.layers:
        spec = layer.layer
        if not (
            isinstance(spec, VideoLayer)
            and spec.audio
            and layer.media
            and layer.media.has_audio
            and spec.volume > 0
        ):
            continue
        start = sounds.samples(Fraction(scene.first_frame) / fps)
        plays = min(Fraction(scene.frames) / fps, layer.length or Fraction(0))
        length = sounds.samples(Fraction(scene.first_frame) / fps + plays) - start
        if not sounds.heard(start, length):
            continue
        index = sounds.g.add_input(str(layer.src), *video_input_options(layer, scene.frames, fps))
        # A short fade where scenes cross, so a cut never clicks; over the transition when the
        # scene enters with one.
        fade = exact(scene.transition.duration) if scene.transition else _DECLICK
        fade_samples = min(sounds.samples(fade), length // 2)
        filters = [
            f(
                "aresample",
                sounds.rate,
                async_=1,
                first_pts=0,
                min_hard_comp=num(_SYNC_TOLERANCE),
            ),
            *_atempo(spec.speed),
            *sounds.normal(),
            f("atrim", end_sample=length),
        ]
        if spec.volume != 1:
            filters.append(f("volume", spec.volume))
        if fade_samples:
            filters.append(f("afade", t="in", ss=0, ns=fade_samples))
        filters += sounds.placed(start)
        out.append(sounds.g.one([f"{index}:a"], filters, prefix="a"))
    return out


def _narration_sound(sounds: _Sounds, scene: ResolvedScene) -> str | None:
    """The scene's narration from its exact start (scene start + delay), cut at the scene's
    end."""
    spoken = scene.narration
    if spoken is None:
        return None
    start = sounds.samples(scene.start + spoken.delay)
    end = sounds.samples(min(scene.start + spoken.delay + spoken.length, scene.end))
    if not sounds.heard(start, end - start):
        return None
    index = sounds.g.add_input(str(spoken.src))
    filters = [*sounds.normal(), f("atrim", end_sample=end - start), *sounds.placed(start)]
    return sounds.g.one([f"{index}:a"], filters, prefix="a")


def _track_sound(sounds: _Sounds, resolved: ResolvedSpec, track: ResolvedAudio) -> str | None:
    """A music track: its trimmed part, looped if asked, from its start to its end or the
    video's, with its fades and volume (and ducking under narration)."""
    spec = track.track
    video_end = resolved.seconds
    end = video_end if spec.loop else min(video_end, track.start + track.source_length)
    start = sounds.samples(track.start)
    length = sounds.samples(end) - start
    if not sounds.heard(start, length):
        return None
    trimmed = spec.trim.start > 0 or spec.trim.end is not None
    options: tuple[str, ...] = ("-stream_loop", "-1") if spec.loop and not trimmed else ()
    index = sounds.g.add_input(str(track.src), *options)
    filters = sounds.normal()
    if trimmed:
        first = sounds.samples(exact(spec.trim.start))
        last = sounds.samples(exact(spec.trim.start) + track.source_length)
        filters += [f("atrim", start_sample=first, end_sample=last), _FRESH_PTS]
        if spec.loop:
            filters.append(f("aloop", loop=-1, size=last - first))
    filters.append(f("atrim", end_sample=length))
    if spec.volume != 1:
        filters.append(f("volume", spec.volume))
    if spec.fade_in:
        filters.append(
            f("afade", t="in", ss=0, ns=min(sounds.samples(exact(spec.fade_in)), length))
        )
    if spec.fade_out:
        fade = min(sounds.samples(exact(spec.fade_out)), length)
        filters.append(f("afade", t="out", ss=length - fade, ns=fade))
    filters += sounds.placed(start)
    if spec.duck is not None:
        envelope = _duck_envelope(resolved, spec.duck)
        if envelope:
            filters.append(f("volume", envelope, eval="frame"))
    return sounds.g.one([f"{index}:a"], filters, prefix="a")


def _duck_envelope(resolved: ResolvedSpec, duck: Duck) -> str | None:
    """A volume expression that dips by ``duck.depth`` dB around every narration (times on
    the timeline), with linear attack and release ramps."""
    spans = [
        (
            scene.start + scene.narration.delay,
            scene.start + scene.narration.delay + scene.narration.length,
        )
        for scene in resolved.scenes
        if scene.narration is not None
    ]
    if not spans:
        return None
    attack, release = max(duck.attack, 0.001), max(duck.release, 0.001)
    weights = [
        f"min(clip((t-{num(float(s) - attack)})/{num(attack)},0,1),"
        f"clip(({num(float(e) + release)}-t)/{num(release)},0,1))"
        for s, e in spans
    ]
    weight = weights[0]
    for other in weights[1:]:
        weight = f"max({weight},{other})"
    floor = 10 ** (-duck.depth / 20)
    return f"1-{num(1 - floor)}*{weight}"


def compile_audio(g: GraphBuilder, resolved: ResolvedSpec, window: tuple[int, int]) -> str | None:
    """The mixed sound of the frames ``window`` = [f0, f1): exactly as many samples as those
    frames last, starting at sample 0 of the window. None when nothing sounds."""
    assert resolved.output.audio is not None
    rate = resolved.output.audio.sample_rate
    fps = resolved.fps
    first = sample_at(Fraction(window[0]) / fps, rate)
    last = sample_at(Fraction(window[1]) / fps, rate)
    sounds = _Sounds(g, rate, (first, last))
    streams: list[str] = []
    for scene in resolved.scenes:
        streams += _clip_sounds(sounds, resolved, scene)
    for scene in resolved.scenes:
        spoken = _narration_sound(sounds, scene)
        if spoken is not None:
            streams.append(spoken)
    for track in resolved.audio:
        music = _track_sound(sounds, resolved, track)
        if music is not None:
            streams.append(music)
    if not streams:
        return None
    mix: list[Filter] = []
    if len(streams) > 1:
        mix.append(
            f("amix", inputs=len(streams), duration="longest", dropout_transition=0, normalize=0)
        )
    loudness = resolved.output.audio.loudness
    if loudness is not None:
        # loudnorm works at 192 kHz internally; bring the mix back to the output's rate. The
        # mix is cut into blocks of one size first, so loudnorm sees the same blocks on every
        # run (amix hands out however much all its inputs have ready).
        mix += [
            f("asetnsamples", n=rate // 10, p=0),
            f("loudnorm", I=loudness, TP=-1.5, LRA=11),
            f("aresample", rate),
            _FRESH_PTS,
        ]
    mix += [
        f("apad", whole_len=last),
        f("atrim", start_sample=first or None, end_sample=last),
        _FRESH_PTS,
    ]
    return g.one(streams, mix, prefix="a")
