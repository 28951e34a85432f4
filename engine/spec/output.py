"""The ``output`` block: where the video goes and how it is encoded. An audio container
(.mp3, .m4a, .wav, .flac, .ogg, .opus) gets the timeline's sound alone."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from engine.codecs import AUDIO_CODECS, CONTAINERS, VIDEO_CODECS, Encoding
from engine.errors import excerpt
from engine.spec.common import Fps, Model, PathStr, Size, any_case, size_tuple

if TYPE_CHECKING:
    VideoCodecName = str
    AudioCodecName = str
else:
    # The names come from the codec table (engine/codecs.py), the one list of them.
    VideoCodecName = Literal[tuple(VIDEO_CODECS)]
    AudioCodecName = Literal[tuple(AUDIO_CODECS)]


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

    def encoding(self) -> Encoding:
        return Encoding(self.crf, self.preset, self.pix_fmt, self.bitrate, self.threads)


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

    @field_validator("audio")
    @classmethod
    def _sound_for_a_sound_file(
        cls, value: AudioEncoding | None, info: ValidationInfo
    ) -> AudioEncoding | None:
        ext = PurePath(str(info.data.get("path", ""))).suffix.lower()
        if value is None and ext in CONTAINERS and CONTAINERS[ext].audio_only:
            raise ValueError(
                f"a {ext} file holds only sound, so output.audio cannot be off; write a video "
                f"file ({_video_extensions()}) for pictures without sound"
            )
        return value

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
    def audio_only(self) -> bool:
        """The file holds sound alone (.mp3, .m4a, .wav, ...): the timeline's mix, no picture."""
        return CONTAINERS[self.container].audio_only

    @property
    def audio_codec(self) -> str | None:
        """The sound's codec; None for no sound (asked for, or a container without)."""
        default = CONTAINERS[self.container].default_audio
        if self.audio is None or default is None:
            return None
        return self.audio.codec or default

    @model_validator(mode="after")
    def _codec_fits_container(self) -> Output:
        ext = self.container
        if ext not in CONTAINERS:
            known = ", ".join(sorted(CONTAINERS))
            raise ValueError(
                f"unknown output extension {excerpt(ext) if ext else repr('(none)')}; "
                f"use one of {known}"
            )
        video_ok, audio_ok = CONTAINERS[ext].video, CONTAINERS[ext].audio
        # A file of sound alone makes no picture, so `video` (and an odd `size`) is left as it
        # is, unused: the same spec writes its video or, with only the extension changed, its
        # sound.
        if not self.audio_only and self.video.codec not in video_ok:
            raise ValueError(
                f"video codec {self.video.codec!r} cannot go in a {ext} file; "
                f"{ext} holds {', '.join(video_ok)}"
            )
        if self.audio is not None and self.audio.codec and self.audio.codec not in audio_ok:
            holds = ", ".join(audio_ok) or "no audio"
            raise ValueError(
                f"audio codec {self.audio.codec!r} cannot go in a {ext} file; {ext} holds {holds}"
            )
        if (
            not self.audio_only
            and VIDEO_CODECS[self.video.codec].even_size
            and (self.width % 2 or self.height % 2)
        ):
            raise ValueError(f"{self.video.codec} needs an even width and height (got {self.size})")
        return self


def _video_extensions() -> str:
    return ", ".join(ext for ext, container in CONTAINERS.items() if not container.audio_only)
