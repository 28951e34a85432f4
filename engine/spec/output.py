"""The ``output`` block: where the video goes and how it is encoded."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from engine.spec.common import Fps, Model, PathStr, Size, any_case, excerpt, size_tuple

VideoCodecName = Literal["h264", "h265", "vp9", "av1", "prores", "gif"]
AudioCodecName = Literal["aac", "opus", "mp3", "vorbis", "flac", "pcm"]

#: Which video and audio codecs each container (file extension) can hold.
CONTAINERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ".mp4": (("h264", "h265", "vp9", "av1"), ("aac", "mp3", "opus", "flac")),
    ".mov": (("h264", "h265", "prores"), ("aac", "pcm")),
    ".mkv": (
        ("h264", "h265", "vp9", "av1", "prores"),
        ("aac", "opus", "mp3", "vorbis", "flac", "pcm"),
    ),
    ".webm": (("vp9", "av1"), ("opus", "vorbis")),
    ".gif": (("gif",), ()),
}

#: Audio codec used when the spec names none, per container.
DEFAULT_AUDIO_CODEC = {".mp4": "aac", ".mov": "aac", ".mkv": "aac", ".webm": "opus"}


class VideoEncoding(Model):
    codec: VideoCodecName = "h264"
    crf: int | None = Field(
        None, ge=0, le=63, description="Constant quality; lower is better. Codec default if unset."
    )
    preset: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{1,32}$",
        description="Encoder speed preset (x264/x265: ultrafast..veryslow; svt-av1: 0-13).",
    )
    pix_fmt: str | None = Field(
        None, pattern=r"^[a-z0-9_]{1,32}$", description="Pixel format; codec default if unset."
    )
    bitrate: str | None = Field(None, pattern=r"^\d{1,9}(\.\d{1,6})?[kKmM]?$")
    threads: int | None = Field(
        None, ge=1, le=256, description="Encoder threads; ffmpeg's default."
    )


class AudioEncoding(Model):
    codec: AudioCodecName | None = None
    bitrate: str = Field("192k", pattern=r"^\d{1,9}(\.\d{1,6})?[kK]?$")
    sample_rate: int = Field(48000, ge=8000, le=192000)
    loudness: float | None = Field(
        None, ge=-70, le=-5, description="Normalise the mix to this loudness (LUFS, EBU R128)."
    )


def _audio_off(value: object) -> object:
    # `audio: false` and `audio: none` read naturally in YAML as "no audio stream".
    if value is False or value == "none":
        return None
    return value


class Output(Model):
    path: PathStr = Field(
        description="Output file; its extension picks the container.",
        json_schema_extra={
            "pattern": r"\.(" + "|".join(any_case(ext[1:]) for ext in CONTAINERS) + r")$"
        },
    )
    size: Size = "1920x1080"
    fps: Fps = "30"
    video: VideoEncoding = Field(default_factory=VideoEncoding)
    audio: Annotated[AudioEncoding | None, BeforeValidator(_audio_off)] = Field(
        default_factory=AudioEncoding,
        description="Audio encoding; null or false for a video without an audio stream.",
    )

    @property
    def width(self) -> int:
        return size_tuple(self.size)[0]

    @property
    def height(self) -> int:
        return size_tuple(self.size)[1]

    @property
    def container(self) -> str:
        return PurePath(self.path).suffix.lower()

    @property
    def audio_codec(self) -> str | None:
        if self.audio is None or self.container == ".gif":
            return None
        return self.audio.codec or DEFAULT_AUDIO_CODEC[self.container]

    @model_validator(mode="after")
    def _codec_fits_container(self) -> Output:
        ext = self.container
        if ext not in CONTAINERS:
            known = ", ".join(sorted(CONTAINERS))
            raise ValueError(
                f"unknown output extension {excerpt(ext) if ext else repr('(none)')}; "
                f"use one of {known}"
            )
        video_ok, audio_ok = CONTAINERS[ext]
        if self.video.codec not in video_ok:
            raise ValueError(
                f"video codec {self.video.codec!r} cannot go in a {ext} file; "
                f"{ext} holds {', '.join(video_ok)}"
            )
        if self.audio is not None and self.audio.codec and self.audio.codec not in audio_ok:
            holds = ", ".join(audio_ok) or "no audio"
            raise ValueError(
                f"audio codec {self.audio.codec!r} cannot go in a {ext} file; {ext} holds {holds}"
            )
        if self.video.codec in ("h264", "h265", "vp9", "av1") and (
            self.width % 2 or self.height % 2
        ):
            raise ValueError(f"{self.video.codec} needs an even width and height (got {self.size})")
        return self
