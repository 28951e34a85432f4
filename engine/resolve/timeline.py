"""The resolved spec: every clip placed on one absolute timeline, every file probed, every
piece of text drawn. This is what the pure compiler reads."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from engine.resolve.probe import MediaInfo
from engine.resolve.subtitles import Cue
from engine.spec.layers import Layer
from engine.spec.models import AudioTrack, Overlay, Transition
from engine.spec.output import Output


@dataclass(frozen=True)
class ResolvedModel:
    """A checked model file and what the compiler needs to know of it."""

    path: Path
    sha256: str
    trust: bool
    #: "tanh" (-1..1) or "sigmoid" (0..1).
    value_range: str
    #: Generators: the latent vector's length.
    latent_dim: int | None
    #: Frame models: the (width, height) frames are decoded at and given to the model.
    in_size: tuple[int, int] | None
    #: (width, height) of the frames the model makes.
    out_size: tuple[int, int]


@dataclass(frozen=True)
class ResolvedLayer:
    layer: Layer
    #: The file ffmpeg reads: the media itself, or the PNG drawn for text and gradients.
    src: Path | None = None
    media: MediaInfo | None = None
    #: Pixel size of ``src`` when it is a still image.
    size: tuple[int, int] | None = None
    #: Image sequences: how ffmpeg finds the frames.
    pattern_kind: str | None = None
    start_number: int = 0
    frame_count: int = 0
    #: The layer's own length in seconds (videos and sequences), after trim and speed.
    length: float | None = None
    #: Generator layers, and video layers with a frame model.
    model: ResolvedModel | None = None


@dataclass(frozen=True)
class ResolvedNarration:
    src: Path
    #: Seconds of speech.
    length: float
    delay: float
    #: (start, end, text) of each sentence, seconds from the start of the speech.
    cues: tuple[tuple[float, float, str], ...] = ()


@dataclass(frozen=True)
class ResolvedScene:
    index: int
    start: float
    duration: float
    #: The transition from the previous scene into this one (None for the first or a cut).
    transition: Transition | None
    background: str
    fit: str
    layers: tuple[ResolvedLayer, ...]
    narration: ResolvedNarration | None = None

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class ResolvedOverlay:
    overlay: Overlay
    image: Path
    size: tuple[int, int]
    start: float
    end: float
    fade_in: float
    fade_out: float


@dataclass(frozen=True)
class ResolvedAudio:
    track: AudioTrack
    src: Path
    media: MediaInfo
    start: float
    #: Length of the trimmed source, before looping.
    source_length: float


@dataclass(frozen=True)
class ResolvedSpec:
    output: Output
    scenes: tuple[ResolvedScene, ...]
    overlays: tuple[ResolvedOverlay, ...]
    audio: tuple[ResolvedAudio, ...]
    duration: float
    spec_hash: str
    #: Where the video goes: ``output.path`` made absolute against the spec's folder.
    output_path: Path
    spec_file: Path | None = None
    #: Subtitle cues on the video's timeline (also drawn as overlays when burned in).
    subtitles: tuple[Cue, ...] = ()
    #: Sidecar subtitle formats to write beside the output ("srt", "vtt").
    subtitle_files: tuple[str, ...] = ()

    @property
    def fps(self) -> Fraction:
        return Fraction(self.output.fps)

    @property
    def frame_count(self) -> int:
        return frames_for(self.duration, self.fps)


def frames_for(seconds: float, fps: Fraction) -> int:
    """Frames covering ``seconds`` at ``fps``, rounding half-frames to the nearest frame."""
    return round(Fraction(seconds).limit_denominator(1_000_000) * fps)
