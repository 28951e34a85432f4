"""Audio tracks: probed, checked against the video's length, and placed in samples of the
output's sound (start, length played, the trimmed part, fades)."""

from __future__ import annotations

from fractions import Fraction

from engine.layers.base import PathKey
from engine.proc.probe import probe
from engine.resolve.context import ResolveContext
from engine.resolved import ResolvedAudio
from engine.spec.models import AudioTrack
from engine.timebase import exact, sample_at


def placed_track(
    ctx: ResolveContext, path: PathKey, track: AudioTrack, video_end: Fraction
) -> ResolvedAudio | None:
    """The track heard from its start for its trimmed length (or, looped, until the video's
    end, ``video_end``: the length of its frames)."""
    src = ctx.source(track.src)
    media = ctx.attempt((*path, "src"), lambda: probe(src))
    if media is None:
        return None
    if not media.has_audio:
        ctx.add((*path, "src"), f"{track.src} has no audio stream")
        return None
    start = exact(track.start)
    if start >= video_end:
        ctx.add(
            (*path, "start"),
            f"track starts at {track.start:g}s, after the video ends ({float(video_end):g}s)",
        )
        return None
    available = media.duration or Fraction(0)
    trim_start = exact(track.trim.start)
    trim_end = exact(track.trim.end) if track.trim.end is not None else available
    if trim_start >= available:
        ctx.add(
            (*path, "trim", "start"),
            f"trim.start {track.trim.start:g}s is past the end of {track.src} "
            f"({float(available):g}s)",
        )
        return None
    source_length = min(trim_end, available) - trim_start
    end = video_end if track.loop else min(video_end, start + source_length)
    rate = ctx.sample_rate
    first = sample_at(start, rate)
    samples = sample_at(end, rate) - first
    trimmed = track.trim.start > 0 or track.trim.end is not None
    trim = (
        (sample_at(trim_start, rate), sample_at(trim_start + source_length, rate))
        if trimmed
        else None
    )
    return ResolvedAudio(
        track=track,
        src=src,
        media=media,
        start_sample=first,
        samples=samples,
        trim=trim,
        fade_in=min(sample_at(exact(track.fade_in), rate), samples),
        fade_out=min(sample_at(exact(track.fade_out), rate), samples),
    )
