"""Encoder and muxer arguments for each output codec."""

from __future__ import annotations

from engine.spec.output import Output

_PIX_FMT = {
    "h264": "yuv420p",
    "h265": "yuv420p",
    "vp9": "yuv420p",
    "av1": "yuv420p",
    "prores": "yuv422p10le",
    "gif": "rgb24",
}
_DEFAULT_CRF = {"h264": 20, "h265": 24, "vp9": 32, "av1": 32}
_AUDIO_ENCODER = {
    "aac": "aac",
    "opus": "libopus",
    "mp3": "libmp3lame",
    "vorbis": "libvorbis",
    "flac": "flac",
    "pcm": "pcm_s16le",
}

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
    if output.video.pix_fmt:
        return output.video.pix_fmt
    return "yuv420p" if output.video.codec == "gif" else _PIX_FMT[output.video.codec]


def video_args(output: Output) -> list[str]:
    video = output.video
    codec = video.codec
    crf = video.crf if video.crf is not None else _DEFAULT_CRF.get(codec)
    args: list[str]
    # crf 0 means lossless, which the encoders spell as constant QP 0 / lossless=1 (x264's
    # "crf 0" alone still quantizes a little in some frames).
    if codec == "h264":
        quality = ["-qp", "0"] if crf == 0 else ["-crf", str(crf)]
        args = ["-c:v", "libx264", "-preset", video.preset or "medium", *quality]
    elif codec == "h265":
        params = "log-level=error" + (":lossless=1" if crf == 0 else "")
        quality = [] if crf == 0 else ["-crf", str(crf)]
        args = [
            "-c:v",
            "libx265",
            "-preset",
            video.preset or "medium",
            *quality,
            "-x265-params",
            params,
        ]
        if output.container in (".mp4", ".mov"):
            args += ["-tag:v", "hvc1"]
    elif codec == "vp9":
        args = [
            "-c:v",
            "libvpx-vp9",
            "-crf",
            str(crf),
            "-b:v",
            video.bitrate or "0",
            "-row-mt",
            "1",
            "-deadline",
            "good",
            "-cpu-used",
            video.preset or "4",
        ]
    elif codec == "av1":
        args = ["-c:v", "libsvtav1", "-crf", str(crf), "-preset", video.preset or "8"]
    elif codec == "prores":
        args = ["-c:v", "prores_ks", "-profile:v", video.preset or "3", "-vendor", "apl0"]
    else:
        args = ["-c:v", "gif", "-loop", "0"]
    if video.bitrate and codec not in ("vp9", "gif", "prores"):
        args += ["-b:v", video.bitrate]
    if codec != "gif":
        args += ["-pix_fmt", video.pix_fmt or _PIX_FMT[codec]]
    if video.threads:
        args += ["-threads", str(video.threads)]
    return args


def audio_args(output: Output) -> list[str]:
    codec = output.audio_codec
    if codec is None or output.audio is None:
        return []
    args = ["-c:a", _AUDIO_ENCODER[codec]]
    if codec not in ("flac", "pcm"):
        args += ["-b:a", output.audio.bitrate]
    return args


def container_args(output: Output) -> list[str]:
    if output.container in (".mp4", ".mov"):
        return ["-movflags", "+faststart"]
    return []
