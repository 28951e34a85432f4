"""Encoder and muxer arguments of a spec's output, from the codec table (engine/codecs.py)."""

from __future__ import annotations

from engine import codecs
from engine.compile.graph import Input
from engine.resolved import ResolvedSpec
from engine.spec.output import Output

#: Flags that keep the muxer from writing anything time- or build-dependent, so the same
#: spec and the same ffmpeg give byte-identical files.
REPRODUCIBLE = (
    "-map_metadata",
    "-1",
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-flags:a",
    "+bitexact",
)
#: The same for a file of sound alone (no video encoder to flag).
REPRODUCIBLE_AUDIO = ("-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact")
#: The same for a copy that encodes nothing (joining farm chunks).
REPRODUCIBLE_COPY = ("-map_metadata", "-1", "-fflags", "+bitexact")


def working_pix_fmt(output: Output) -> str:
    """The pixel format the whole graph works in (one format end to end: no conversions)."""
    return output.video.pix_fmt or codecs.VIDEO_CODECS[output.video.codec].working_pix_fmt


def video_args(output: Output) -> list[str]:
    return codecs.video_args(output.video.codec, output.video.encoding(), output.container)


def audio_args(output: Output) -> list[str]:
    codec = output.audio_codec
    if codec is None or output.audio is None:
        return []
    return codecs.audio_args(codec, output.audio.bitrate)


def container_args(output: Output) -> list[str]:
    return list(codecs.CONTAINERS[output.container].muxer_args)


def caption_track(resolved: ResolvedSpec, index: int) -> tuple[list[Input], list[str], list[str]]:
    """The input (an .srt file, which becomes input ``index``), maps and arguments that put
    the spec's caption track in the output, in the container's caption codec; nothing when
    there is none."""
    codec = codecs.CONTAINERS[resolved.output.container].captions
    track = resolved.subtitle_track_file
    if resolved.subtitle_track is None or track is None or codec is None:
        return [], [], []
    language = f"language={resolved.subtitle_track}"
    return [Input(str(track))], [f"{index}:s"], ["-c:s", codec, "-metadata:s:s:0", language]
