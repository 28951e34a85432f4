"""The sound side of the graph: every layer's own sound (a clip's), narration and music tracks,
each placed at its sample (engine/compile/sounds.py), mixed, and cut to end exactly where
the picture ends."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

from engine.compile.graph import Filter, GraphBuilder, f, num
from engine.compile.sounds import FRESH_PTS, Crossfade, Sounds
from engine.layers import type_of
from engine.resolved import ResolvedAudio, ResolvedOverlay, ResolvedScene, ResolvedSpec
from engine.spec.models import Duck
from engine.timebase import exact, frames_to_samples, sample_at


def _narration(sounds: Sounds, scene: ResolvedScene) -> str | None:
    """The scene's narration from its exact start (scene start + delay), cut at the scene's
    end."""
    spoken = scene.narration
    if spoken is None or not sounds.heard(spoken.start_sample, spoken.samples):
        return None
    index = sounds.g.add_input(str(spoken.src))
    filters = [
        *sounds.normal(),
        f("atrim", end_sample=spoken.samples),
        *sounds.placed(spoken.start_sample),
    ]
    return sounds.g.one([f"{index}:a"], filters, prefix="a")


def _track(sounds: Sounds, resolved: ResolvedSpec, track: ResolvedAudio) -> str | None:
    """A music track: its trimmed part, looped if asked, from its start to its end or the
    video's, with its fades and volume (and ducking under narration)."""
    spec = track.track
    if not sounds.heard(track.start_sample, track.samples):
        return None
    options: tuple[str, ...] = ("-stream_loop", "-1") if spec.loop and not track.trim else ()
    index = sounds.g.add_input(str(track.src), *options)
    filters = sounds.normal()
    if track.trim:
        first, last = track.trim
        filters += [f("atrim", start_sample=first, end_sample=last), FRESH_PTS]
        if spec.loop:
            filters.append(f("aloop", loop=-1, size=last - first))
    filters.append(f("atrim", end_sample=track.samples))
    if spec.volume != 1:
        filters.append(f("volume", spec.volume))
    if track.fade_in:
        filters.append(f("afade", t="in", ss=0, ns=track.fade_in))
    if track.fade_out:
        filters.append(f("afade", t="out", ss=track.samples - track.fade_out, ns=track.fade_out))
    filters += sounds.placed(track.start_sample)
    if spec.duck is not None:
        envelope = _duck_envelope(resolved, spec.duck)
        if envelope:
            filters.append(f("volume", envelope, eval="frame"))
    return sounds.g.one([f"{index}:a"], filters, prefix="a")


def _duck_envelope(resolved: ResolvedSpec, duck: Duck) -> str | None:
    """A volume expression that dips by ``duck.depth`` dB around every narration (times on
    the timeline, in seconds: ffmpeg evaluates it per frame of sound), with linear attack and
    release ramps."""
    rate = resolved.sample_rate
    spans = [
        (
            scene.narration.start_sample / rate,
            (scene.narration.start_sample + scene.narration.samples) / rate,
        )
        for scene in resolved.scenes
        if scene.narration is not None
    ]
    if not spans:
        return None
    attack, release = max(duck.attack, 0.001), max(duck.release, 0.001)
    weights = [
        f"min(clip((t-{num(s - attack)})/{num(attack)},0,1),"
        f"clip(({num(e + release)}-t)/{num(release)},0,1))"
        for s, e in spans
    ]
    weight = weights[0]
    for other in weights[1:]:
        weight = f"max({weight},{other})"
    floor = 10 ** (-duck.depth / 20)
    return f"1-{num(1 - floor)}*{weight}"


#: ``afade`` curves by the names a transition's ``audio.curve`` takes.
AFADE_CURVES = {"qsin": "qsin", "equal-power": "qsin", "tri": "tri", "hsin": "hsin",
                "exp": "exp", "log": "log"}  # fmt: skip


def crossfades(
    resolved: ResolvedSpec, fps: Fraction, rate: int
) -> dict[int, tuple[Crossfade | None, Crossfade | None]]:
    """Every transition whose sound crossfades, by scene index: (into, out of) the scene. The
    ramp starts on the incoming scene's first sample (where its clips' sound starts) and lasts
    the transition's exact duration, rounded once to samples: a ramp, not a place, so a
    transition the timeline rounds to fewer frames still ramps over all of it (docs/decisions/
    0008). Always the whole timeline's, whatever window is made."""
    ramps: dict[int, tuple[Crossfade | None, Crossfade | None]] = {}
    for before, scene in pairwise(resolved.scenes):
        transition = scene.transition
        if transition is None or transition.audio == "cut":
            continue
        ramp = Crossfade(
            frames_to_samples(scene.first_frame, fps, rate),
            sample_at(exact(transition.duration), rate),
            AFADE_CURVES[transition.audio.curve],
        )
        ramps[before.index] = (ramps.get(before.index, (None, None))[0], ramp)
        ramps[scene.index] = (ramp, None)
    return ramps


def overlay_span(resolved: ResolvedSpec, overlay: ResolvedOverlay) -> ResolvedScene:
    """The stretch of the timeline a moving overlay shows on, as a scene of its own (what a
    layer's sound is placed by): its frames, entered without a transition."""
    fps = resolved.fps
    first, end = overlay.start_frame, overlay.end_frame
    return ResolvedScene(
        index=-1,
        start=Fraction(first) / fps,
        duration=Fraction(end - first) / fps,
        first_frame=first,
        end_frame=end,
        transition=None,
        transition_frames=0,
        background="#00000000",
        fit="contain",
        layers=(),
    )


def compile_audio(g: GraphBuilder, resolved: ResolvedSpec, window: tuple[int, int]) -> str | None:
    """The mixed sound of the frames ``window`` = [f0, f1): exactly as many samples as those
    frames last, starting at sample 0 of the window. None when nothing sounds."""
    assert resolved.output.audio is not None
    rate = resolved.sample_rate
    fps = resolved.fps
    first = frames_to_samples(window[0], fps, rate)
    last = frames_to_samples(window[1], fps, rate)
    sounds = Sounds(g, fps, rate, (first, last), crossfades(resolved, fps, rate))
    streams: list[str] = []
    for scene in resolved.scenes:
        for layer in scene.layers:
            streams += type_of(layer.spec).sounds(sounds, scene, layer)
    for overlay in resolved.overlays:
        if overlay.layer is not None:
            span = overlay_span(resolved, overlay)
            streams += type_of(overlay.layer.spec).sounds(sounds, span, overlay.layer)
    for scene in resolved.scenes:
        spoken = _narration(sounds, scene)
        if spoken is not None:
            streams.append(spoken)
    for track in resolved.audio:
        music = _track(sounds, resolved, track)
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
            FRESH_PTS,
        ]
    mix += [
        f("apad", whole_len=last),
        f("atrim", start_sample=first or None, end_sample=last),
        FRESH_PTS,
    ]
    return g.one(streams, mix, prefix="a")


def silent(g: GraphBuilder, resolved: ResolvedSpec, window: tuple[int, int]) -> str:
    """Silence as long as the frames ``window`` = [f0, f1), in the mix's format."""
    rate, fps = resolved.sample_rate, resolved.fps
    length = frames_to_samples(window[1], fps, rate) - frames_to_samples(window[0], fps, rate)
    filters = [
        f("anullsrc", channel_layout="stereo", sample_rate=rate),
        f("atrim", end_sample=length),
        f("aformat", sample_fmts="fltp"),
        FRESH_PTS,
    ]
    return g.one([], filters, prefix="a")
