"""Every fact reelspec knows about output codecs and containers, in one table: which
containers hold which codecs (and which hold sound alone), pixel formats, quality defaults,
the encoder's arguments, and whether chunks can be joined by stream copy. The spec validates
against it, the compiler builds commands from it, the farm asks it whether a codec can be
farmed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Encoding:
    """What a spec asks of the video encoder (engine.spec.output.VideoEncoding's fields)."""

    crf: int | None
    preset: str | None
    pix_fmt: str | None
    bitrate: str | None
    threads: int | None


@dataclass(frozen=True)
class VideoCodec:
    name: str
    #: The pixel format written (None: the encoder's own, for GIF's palettes).
    pix_fmt: str | None
    #: The format the whole filter graph works in (one format end to end).
    working_pix_fmt: str
    #: Encoder arguments for an encoding and a container.
    #: Encoder arguments for an encoding and a container (each encoder's own default crf).
    arguments: Callable[[Encoding, str], list[str]]
    #: 4:2:0 codecs need even sides.
    even_size: bool = True
    #: Chunks encoded separately can be joined by stream copy (the farm needs it).
    joinable: bool = True
    #: One palette for the whole clip is made first (GIF).
    palette: bool = False
    #: Whether ``bitrate`` is an option of its own (VP9 and GIF handle it differently).
    takes_bitrate: bool = True


@dataclass(frozen=True)
class AudioCodec:
    name: str
    encoder: str
    #: Lossless codecs take no bitrate.
    takes_bitrate: bool = True


@dataclass(frozen=True)
class Container:
    extension: str
    video: tuple[str, ...]
    audio: tuple[str, ...]
    #: The audio codec used when the spec names none (None: the container holds no sound).
    default_audio: str | None
    muxer_args: tuple[str, ...] = field(default=())
    #: The codec of a caption track in it (None: it holds none).
    captions: str | None = None

    @property
    def audio_only(self) -> bool:
        """A file of sound alone (.mp3, .wav, ...): no picture is made for it at all."""
        return not self.video


def _x264(encoding: Encoding, container: str) -> list[str]:
    # crf 0 means lossless, which x264 spells as constant QP 0 (its "crf 0" alone still
    # quantizes a little in some frames).
    crf = encoding.crf if encoding.crf is not None else 20
    quality = ["-qp", "0"] if crf == 0 else ["-crf", str(crf)]
    return ["-c:v", "libx264", "-preset", encoding.preset or "medium", *quality]


def _x265(encoding: Encoding, container: str) -> list[str]:
    crf = encoding.crf if encoding.crf is not None else 24
    params = "log-level=error" + (":lossless=1" if crf == 0 else "")
    quality = [] if crf == 0 else ["-crf", str(crf)]
    args = ["-c:v", "libx265", "-preset", encoding.preset or "medium", *quality]
    args += ["-x265-params", params]
    if container in (".mp4", ".mov"):
        args += ["-tag:v", "hvc1"]  # what Apple's players look for
    return args


def _vp9(encoding: Encoding, container: str) -> list[str]:
    crf = encoding.crf if encoding.crf is not None else 32
    return [
        "-c:v", "libvpx-vp9", "-crf", str(crf), "-b:v", encoding.bitrate or "0",
        "-row-mt", "1", "-deadline", "good", "-cpu-used", encoding.preset or "4",
    ]  # fmt: skip


def _av1(encoding: Encoding, container: str) -> list[str]:
    crf = encoding.crf if encoding.crf is not None else 32
    return ["-c:v", "libsvtav1", "-crf", str(crf), "-preset", encoding.preset or "8"]


def _prores(encoding: Encoding, container: str) -> list[str]:
    return ["-c:v", "prores_ks", "-profile:v", encoding.preset or "3", "-vendor", "apl0"]


def _gif(encoding: Encoding, container: str) -> list[str]:
    return ["-c:v", "gif", "-loop", "0"]


VIDEO_CODECS: dict[str, VideoCodec] = {
    codec.name: codec
    for codec in (
        VideoCodec("h264", "yuv420p", "yuv420p", _x264),
        VideoCodec("h265", "yuv420p", "yuv420p", _x265),
        VideoCodec("vp9", "yuv420p", "yuv420p", _vp9, takes_bitrate=False),
        VideoCodec("av1", "yuv420p", "yuv420p", _av1),
        VideoCodec(
            "prores", "yuv422p10le", "yuv422p10le", _prores, even_size=False, takes_bitrate=False
        ),
        VideoCodec(
            "gif",
            None,
            "yuv420p",
            _gif,
            even_size=False,
            joinable=False,
            palette=True,
            takes_bitrate=False,
        ),
    )
}

AUDIO_CODECS: dict[str, AudioCodec] = {
    codec.name: codec
    for codec in (
        AudioCodec("aac", "aac"),
        AudioCodec("opus", "libopus"),
        AudioCodec("mp3", "libmp3lame"),
        AudioCodec("vorbis", "libvorbis"),
        AudioCodec("flac", "flac", takes_bitrate=False),
        AudioCodec("pcm", "pcm_s16le", takes_bitrate=False),
    )
}

_FASTSTART = ("-movflags", "+faststart")  # the index first: playback starts before download

CONTAINERS: dict[str, Container] = {
    container.extension: container
    for container in (
        Container(".mp4", ("h264", "h265", "vp9", "av1"), ("aac", "mp3", "opus", "flac"), "aac",
                  _FASTSTART, captions="mov_text"),
        Container(".mov", ("h264", "h265", "prores"), ("aac", "pcm"), "aac", _FASTSTART,
                  captions="mov_text"),
        Container(".mkv", ("h264", "h265", "vp9", "av1", "prores"),
                  ("aac", "opus", "mp3", "vorbis", "flac", "pcm"), "aac", captions="webvtt"),
        Container(".webm", ("vp9", "av1"), ("opus", "vorbis"), "opus", captions="webvtt"),
        Container(".gif", ("gif",), (), None),
        # Sound alone: the whole timeline's mix, as long as the video would be.
        Container(".mp3", (), ("mp3",), "mp3"),
        Container(".m4a", (), ("aac",), "aac", _FASTSTART),
        Container(".wav", (), ("pcm",), "pcm"),
        Container(".flac", (), ("flac",), "flac"),
        Container(".ogg", (), ("vorbis", "opus", "flac"), "vorbis"),
        Container(".opus", (), ("opus",), "opus"),
    )
}  # fmt: skip


def video_args(codec: str, encoding: Encoding, container: str) -> list[str]:
    """The encoder's arguments, pixel format and threads included."""
    table = VIDEO_CODECS[codec]
    args = table.arguments(encoding, container)
    if encoding.bitrate and table.takes_bitrate:
        args += ["-b:v", encoding.bitrate]
    pix_fmt = encoding.pix_fmt or table.pix_fmt
    if pix_fmt and not table.palette:
        args += ["-pix_fmt", pix_fmt]
    if encoding.threads:
        args += ["-threads", str(encoding.threads)]
    return args


def audio_args(codec: str, bitrate: str) -> list[str]:
    table = AUDIO_CODECS[codec]
    return ["-c:a", table.encoder, *(["-b:a", bitrate] if table.takes_bitrate else [])]
