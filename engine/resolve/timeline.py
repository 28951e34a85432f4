"""The resolved spec: every clip placed on one absolute timeline, every file probed, every
piece of text drawn. This is what the pure compiler reads.

Time is exact here. Every time the spec gives is read as the decimal the user wrote (a
:class:`~fractions.Fraction`), every place on the timeline is computed from absolute times
with rationals, and each is rounded once, at the end, to a whole frame (pictures) or a whole
sample (sound). So a frame count is ``round(length × fps)`` however many transitions there
are, and nothing drifts against anything else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

from engine.resolve.probe import MediaInfo
from engine.resolve.subtitles import Cue
from engine.spec.layers import Layer
from engine.spec.models import AudioTrack, Overlay, Transition
from engine.spec.output import Output


def exact(seconds: float | int | Fraction | str) -> Fraction:
    """``seconds`` as the exact decimal it was written as (``0.1`` is 1/10, not the binary
    float nearest to it): the shortest text that reads back as the same float is the text the
    user wrote."""
    if isinstance(seconds, Fraction):
        return seconds
    if isinstance(seconds, bool):
        raise TypeError("a time is a number, not a boolean")
    if isinstance(seconds, int):
        return Fraction(seconds)
    if isinstance(seconds, float):
        if not math.isfinite(seconds):
            raise ValueError(f"a time must be finite (got {seconds!r})")
        return Fraction(repr(seconds))
    return Fraction(seconds)


def frame_at(seconds: Fraction, fps: Fraction) -> int:
    """The frame that shows time ``seconds``: the nearest frame (Python's ``round``, half to
    even, on the exact product, so the result never depends on float error)."""
    return round(seconds * fps)


def sample_at(seconds: Fraction, rate: int) -> int:
    """The sample at time ``seconds``, rounded once, like :func:`frame_at`."""
    return round(seconds * rate)


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
    #: Pixel size of the picture as shown (a rotated phone picture: its upright size).
    size: tuple[int, int] | None = None
    #: Image sequences: how ffmpeg finds the frames.
    pattern_kind: str | None = None
    start_number: int = 0
    frame_count: int = 0
    #: The layer's own length in seconds (videos, sequences, generators), after trim and speed.
    length: Fraction | None = None
    #: Generator layers, and video layers with a frame model.
    model: ResolvedModel | None = None


@dataclass(frozen=True)
class ResolvedNarration:
    src: Path
    #: Seconds of speech (samples ÷ rate of the spoken file: exact).
    length: Fraction
    delay: Fraction
    #: (start, end, text) of each sentence, seconds from the start of the speech.
    cues: tuple[tuple[Fraction, Fraction, str], ...] = ()


@dataclass(frozen=True)
class ResolvedScene:
    index: int
    #: Exact seconds on the timeline where the scene starts, and how long it lasts.
    start: Fraction
    duration: Fraction
    #: The output frames the scene covers: [first_frame, end_frame).
    first_frame: int
    end_frame: int
    #: The transition from the previous scene into this one (None for the first or a cut),
    #: and the frames the two scenes share (the previous scene's end_frame - first_frame).
    transition: Transition | None
    transition_frames: int
    background: str
    fit: str
    layers: tuple[ResolvedLayer, ...]
    narration: ResolvedNarration | None = None

    @property
    def end(self) -> Fraction:
        return self.start + self.duration

    @property
    def frames(self) -> int:
        return self.end_frame - self.first_frame


@dataclass(frozen=True)
class ResolvedOverlay:
    overlay: Overlay
    image: Path
    size: tuple[int, int]
    #: Exact seconds on the timeline.
    start: Fraction
    end: Fraction
    fade_in: float
    fade_out: float


@dataclass(frozen=True)
class ResolvedAudio:
    track: AudioTrack
    src: Path
    media: MediaInfo
    #: Where the track starts on the timeline, in exact seconds.
    start: Fraction
    #: Length of the trimmed source, before looping.
    source_length: Fraction


@dataclass(frozen=True)
class ResolvedSpec:
    output: Output
    scenes: tuple[ResolvedScene, ...]
    overlays: tuple[ResolvedOverlay, ...]
    audio: tuple[ResolvedAudio, ...]
    #: The timeline's exact length in seconds, and its frames: ``frame_at(duration, fps)``.
    duration: Fraction
    frame_count: int
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
    def seconds(self) -> Fraction:
        """The length of the video as encoded: its frames at the output rate."""
        return Fraction(self.frame_count) / self.fps


#: What a file of the resolved spec is to the code that moves it: one file, a model (a file,
#: or a SavedModel folder), or the frames of an image sequence (``src`` is their pattern).
FileKind = Literal["file", "model", "sequence"]


def with_files(resolved: ResolvedSpec, move: Callable[[Path, FileKind], Path]) -> ResolvedSpec:
    """The same spec with every file it reads replaced by ``move(path, kind)`` (the farm
    ships a spec's files to machines where they live under other names)."""

    def layer(item: ResolvedLayer) -> ResolvedLayer:
        model = item.model
        if model is not None:
            model = replace(model, path=move(model.path, "model"))
        src = item.src
        if src is not None:
            if item.model is not None and src == item.model.path:
                src = model.path if model else src  # a generator's src is its model
            else:
                src = move(src, "sequence" if item.pattern_kind else "file")
        return replace(item, src=src, model=model)

    scenes = tuple(
        replace(
            scene,
            layers=tuple(layer(item) for item in scene.layers),
            narration=(
                replace(scene.narration, src=move(scene.narration.src, "file"))
                if scene.narration
                else None
            ),
        )
        for scene in resolved.scenes
    )
    return replace(
        resolved,
        scenes=scenes,
        overlays=tuple(replace(o, image=move(o.image, "file")) for o in resolved.overlays),
        audio=tuple(replace(a, src=move(a.src, "file")) for a in resolved.audio),
    )
