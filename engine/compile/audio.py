"""The sound side of the graph: clip audio and music tracks placed on the timeline, mixed,
and cut to end exactly where the picture ends."""

from __future__ import annotations

from fractions import Fraction

from engine.compile.graph import Filter, GraphBuilder, f, num
from engine.compile.layers import video_input_options
from engine.resolve.timeline import ResolvedSpec, frames_for
from engine.spec.layers import VideoLayer
from engine.spec.models import Duck


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


def _place(start: float, t0: float) -> list[Filter]:
    """Delay a stream that begins at absolute ``start`` into a window that begins at ``t0``."""
    offset = start - t0
    if offset > 0:
        return [f("adelay", delays=f"{round(offset * 1000)}", all=1)]
    if offset < 0:
        return [f("atrim", start=-offset), f("asetpts", "PTS-STARTPTS")]
    return []


def _duck_envelope(resolved: ResolvedSpec, duck: Duck, t0: float) -> str | None:
    """A volume expression that dips by ``duck.depth`` dB around every narration (times
    relative to the window start), with linear attack and release ramps."""
    spans = [
        (
            scene.start + scene.narration.delay - t0,
            scene.start + scene.narration.delay + scene.narration.length - t0,
        )
        for scene in resolved.scenes
        if scene.narration is not None
    ]
    if not spans:
        return None
    attack, release = max(duck.attack, 0.001), max(duck.release, 0.001)
    weights = [
        f"min(clip((t-{num(s - attack)})/{num(attack)},0,1),clip(({num(e + release)}-t)/"
        f"{num(release)},0,1))"
        for s, e in spans
    ]
    weight = weights[0]
    for other in weights[1:]:
        weight = f"max({weight},{other})"
    floor = 10 ** (-duck.depth / 20)
    return f"1-{num(1 - floor)}*{weight}"


def compile_audio(
    g: GraphBuilder, resolved: ResolvedSpec, t0: float, t1: float, sample_rate: int
) -> str | None:
    fps = resolved.fps
    norm = f("aformat", sample_fmts="fltp", sample_rates=sample_rate, channel_layouts="stereo")
    streams: list[str] = []

    for scene in resolved.scenes:
        if scene.end <= t0 or scene.start >= t1:
            continue
        frames = frames_for(scene.duration, fps)
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
            index = g.add_input(str(layer.src), *video_input_options(layer, frames, fps))
            length = min(scene.duration, layer.length or 0.0)
            filters = [f("asetpts", "PTS-STARTPTS"), *_atempo(spec.speed), norm]
            if spec.volume != 1:
                filters.append(f("volume", spec.volume))
            # Short fades where scenes cross, so a cut never clicks.
            fade_in = scene.transition.duration if scene.transition else 0.01
            filters.append(f("afade", t="in", st=0, d=min(fade_in, length / 2)))
            filters.append(f("atrim", end=length))
            filters += _place(scene.start, t0)
            streams.append(g.one([f"{index}:a"], filters, prefix="a"))

    for scene in resolved.scenes:
        spoken = scene.narration
        if spoken is None or scene.end <= t0 or scene.start >= t1:
            continue
        index = g.add_input(str(spoken.src))
        filters = [
            norm,
            f("atrim", end=scene.duration - spoken.delay),
            *_place(scene.start + spoken.delay, t0),
        ]
        streams.append(g.one([f"{index}:a"], filters, prefix="a"))

    for track in resolved.audio:
        spec = track.track
        play_until = (
            resolved.duration
            if spec.loop
            else min(resolved.duration, track.start + track.source_length)
        )
        if play_until <= t0 or track.start >= t1:
            continue
        length = play_until - track.start
        trimmed = spec.trim.start > 0 or spec.trim.end is not None
        options: tuple[str, ...] = ("-stream_loop", "-1") if spec.loop and not trimmed else ()
        index = g.add_input(str(track.src), *options)
        filters = []
        if trimmed:
            end = spec.trim.start + track.source_length
            filters += [f("atrim", start=spec.trim.start, end=end), f("asetpts", "PTS-STARTPTS")]
        filters.append(norm)
        if spec.loop and trimmed:
            samples = round(track.source_length * sample_rate)
            filters.append(f("aloop", loop=-1, size=samples))
        filters += [f("atrim", end=length), f("asetpts", "PTS-STARTPTS")]
        if spec.volume != 1:
            filters.append(f("volume", spec.volume))
        if spec.fade_in:
            filters.append(f("afade", t="in", st=0, d=min(spec.fade_in, length)))
        if spec.fade_out:
            fade = min(spec.fade_out, length)
            filters.append(f("afade", t="out", st=length - fade, d=fade))
        filters += _place(track.start, t0)
        if spec.duck is not None:
            envelope = _duck_envelope(resolved, spec.duck, t0)
            if envelope:
                filters.append(f("volume", envelope, eval="frame"))
        streams.append(g.one([f"{index}:a"], filters, prefix="a"))

    if not streams:
        return None
    window = float(Fraction(frames_for(t1, fps) - frames_for(t0, fps)) / fps)
    tail = [f("apad", whole_dur=num(window)), f("atrim", end=window)]
    loudness = resolved.output.audio.loudness if resolved.output.audio else None
    if loudness is not None:
        # loudnorm works at 192 kHz internally; bring the mix back to the output's rate.
        tail = [f("loudnorm", I=loudness, TP=-1.5, LRA=11), f("aresample", sample_rate), *tail]
    if len(streams) == 1:
        return g.one(streams, tail, prefix="a")
    mix = f("amix", inputs=len(streams), duration="longest", dropout_transition=0, normalize=0)
    return g.one(streams, [mix, *tail], prefix="a")
