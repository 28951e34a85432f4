"""The resolved spec: what the compiler reads. Every file is probed, every piece of text drawn,
every speech spoken, and everything is placed on one timeline of whole frames (pictures) and
whole samples (sound), each rounded once from the spec's exact times (engine/timebase.py).

Plain data with no engine imports at run time: the compiler, the farm (which ships it to its
workers as it is) and the tests read it without pulling in probing, drawing or models. Each
layer type (engine/layers/) adds its own resolved form by subclassing :class:`ResolvedLayer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from engine.animation import Animation
    from engine.errors import SpecIssue
    from engine.spec.models import AudioTrack, Transition
    from engine.spec.output import Output

#: Transfer functions of HDR video (PQ and HLG): shown on an SDR output they need tone mapping.
HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})


@dataclass(frozen=True)
class MediaInfo:
    """What is in a media file, as probing found it."""

    path: str
    #: Exact seconds, as the container states them.
    duration: Fraction | None
    video_codec: str | None = None
    #: The picture's size as it is shown: turned upright (ffmpeg applies a display matrix
    #: or EXIF orientation when decoding) and with square pixels.
    width: int | None = None
    height: int | None = None
    #: Degrees the stored picture is turned when shown (a phone clip held upright: 90).
    rotation: int = 0
    fps: float | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: str | None = None
    audio_streams: int = 0
    video_streams: int = 0
    #: ffmpeg's pixel format of the pictures (``yuv420p10le``) and their transfer function
    #: (``smpte2084`` for HDR10), when it says.
    pix_fmt: str | None = None
    transfer: str | None = None
    #: The pictures have transparent parts (an alpha plane, or a palette with transparency).
    has_alpha: bool = False
    #: A decoder ffmpeg must be told to use (``-c:v`` before the input): VP8 and VP9 keep
    #: their alpha in a side stream only libvpx's decoders read.
    decoder: str | None = None

    @property
    def hdr(self) -> bool:
        return self.transfer in HDR_TRANSFERS

    @property
    def has_video(self) -> bool:
        return self.video_streams > 0

    @property
    def has_audio(self) -> bool:
        return self.audio_streams > 0

    @property
    def size(self) -> tuple[int, int]:
        return self.width or 0, self.height or 0


@dataclass(frozen=True)
class SpokenWord:
    """A word as shown, when it is heard (exact seconds), and its character offsets in its
    sentence (or caption)."""

    start: Fraction
    end: Fraction
    text: str
    first: int
    last: int


@dataclass(frozen=True)
class Cue:
    """A caption: exact seconds on the video's timeline, its text (lines split by newlines),
    and its words (timeline seconds, places in ``text``) when their times are known."""

    start: Fraction
    end: Fraction
    text: str
    words: tuple[SpokenWord, ...] = ()


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


#: What a file of the resolved spec is to the code that moves it: one file, a model (a file,
#: or a SavedModel folder), or the frames of an image sequence (the path is their pattern,
#: and the frames are given as its members).
FileKind = Literal["file", "model", "sequence"]
#: ``move(path, kind, members)``: where the file (or the pattern of ``members``) is now.
Mover = Callable[[Path, FileKind, tuple[Path, ...]], Path]


@dataclass(frozen=True)
class PictureSequence:
    """Pictures drawn for the first frames of a layer or overlay, one a frame at the output
    rate: frame k of its life shows ``pattern % k`` for k < ``count``, then the last one is
    held. Each picture is ``size`` pixels, with the static picture's top-left corner at
    ``inset`` in it (an animation may reach past the picture it ends as)."""

    #: A printf pattern (``.../%06d.png``), numbered from 0.
    pattern: Path
    count: int
    size: tuple[int, int]
    inset: tuple[int, int] = (0, 0)

    def files(self) -> tuple[Path, ...]:
        return tuple(self.pattern.parent / (self.pattern.name % k) for k in range(self.count))

    def moved(self, move: Mover) -> PictureSequence:
        return replace(self, pattern=move(self.pattern, "sequence", self.files()))


@dataclass(frozen=True)
class Window:
    """When a layer shows: frames [start, end) of its scene, fading in and out over so many
    frames, at an opacity.

    Fade lengths are exact and may be fractional (0.3 s at 25 fps is 7.5 frames): a fade is a
    ramp over time, not a position on the timeline, so it is never rounded to whole frames."""

    start: int = 0
    end: int = 0
    fade_in: Fraction = Fraction(0)
    fade_out: Fraction = Fraction(0)
    opacity: float = 1.0
    #: How it moves, frame by frame (None: it stays put).
    animation: Animation | None = None
    #: Where the layer's own time 0 falls on the count of the frames it shows (exact: within
    #: a frame of its first): keyframes of what it shows (a crop window) count from it.
    origin: Fraction = Fraction(0)

    @property
    def frames(self) -> int:
        return self.end - self.start

    def plain(self, scene_frames: int) -> bool:
        """Shows for the whole scene, fully, with no fades."""
        return (
            self.start == 0
            and self.end >= scene_frames
            and not self.fade_in
            and not self.fade_out
            and self.opacity == 1.0
            and self.animation is None
        )


@dataclass(frozen=True, kw_only=True)
class ResolvedLayer:
    """A layer of a scene, resolved. Each layer type subclasses it with what resolving found
    (its files, sizes, lengths); the resolver sets the window once the scene is placed."""

    #: The layer as the spec wrote it (the type's own model).
    spec: Any
    window: Window = Window()
    #: The layer's own length in seconds, when it has one (it may decide its scene's).
    length: Fraction | None = None
    #: The checked copies of the ``lut`` files its effects name, in the order written.
    luts: tuple[Path, ...] = ()

    def moved(self, move: Mover) -> ResolvedLayer:
        """The same layer with every file it reads renamed by ``move``."""
        return self


@dataclass(frozen=True)
class Framed:
    """A picture placed in a box of its own instead of filling the frame, with its decoration
    (engine/spec/frame.py): where everything lies, in pixels of the canvas, and the pictures
    drawn for it while resolving.

    The *frame* is what shows: the border's outer edge, or the picture's edge without one
    (for a picture contained in its box without a background, the box shrunk to it)."""

    #: The frame's top-left corner on the canvas, and its size.
    x: int
    y: int
    size: tuple[int, int]
    #: The picture's size, and its top-left corner inside the frame (inside the border).
    picture: tuple[int, int]
    picture_at: tuple[int, int]
    #: How the source fills the picture ("fill", "cover", "contain", "blur"), and what shows
    #: around a contained one (a color; None: the scene's background is never used).
    fit: str
    background: str | None
    #: The rounded corners: an 8-bit mask of the picture's size (255 = shown), or None.
    mask: Path | None = None
    #: The border and the shadow, drawn under the picture, and where that drawing's top-left
    #: corner lies relative to the frame's (it reaches out for the shadow).
    under: Path | None = None
    under_at: tuple[int, int] = (0, 0)
    #: The size of that drawing (the sprite it makes, which motion turns about its centre).
    under_size: tuple[int, int] = (0, 0)

    def moved(self, move: Mover) -> Framed:
        return replace(
            self,
            mask=move(self.mask, "file", ()) if self.mask else None,
            under=move(self.under, "file", ()) if self.under else None,
        )


@dataclass(frozen=True)
class ResolvedNarration:
    src: Path
    #: Exact seconds of speech (samples ÷ rate of the spoken file), and before it.
    length: Fraction
    delay: Fraction
    #: (start, end, text) of each sentence, exact seconds from the start of the speech.
    cues: tuple[tuple[Fraction, Fraction, str], ...] = ()
    #: Each sentence's words (one tuple per cue), timed from the start of the speech.
    words: tuple[tuple[SpokenWord, ...], ...] = ()
    #: Where the speech plays, in samples of the output's sound (set with the scene's place).
    start_sample: int = 0
    samples: int = 0


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
    #: The overlay as the spec wrote it (placement, opacity, width), or the caption made of
    #: a subtitle cue.
    overlay: Any
    #: A still overlay's picture; a moving one (a clip) has none, but ``layer``.
    image: Path | None
    #: The picture's size, and the size it is shown at (scaled to the overlay's width).
    size: tuple[int, int]
    shown: tuple[int, int]
    opacity: float
    #: The frames it shows: [start_frame, end_frame) of the video, fading in and out over so
    #: many frames (exact, see ``Window``).
    start_frame: int
    end_frame: int
    fade_in: Fraction
    fade_out: Fraction
    animation: Animation | None = None
    #: A moving overlay, resolved by its layer type, which compiles its stream (and sound);
    #: its window is the overlay's frames, counted from its start.
    layer: ResolvedLayer | None = None

    #: An animated overlay's pictures (played from its first frame), or None: ``image`` held.
    sequence: PictureSequence | None = None

    #: The checked copies of the ``lut`` files its effects name, in the order written.
    luts: tuple[Path, ...] = ()

    def moved(self, move: Mover) -> ResolvedOverlay:
        return replace(
            self,
            image=move(self.image, "file", ()) if self.image else None,
            layer=self.layer.moved(move) if self.layer else None,
            sequence=self.sequence.moved(move) if self.sequence else None,
            luts=tuple(move(lut, "file", ()) for lut in self.luts),
        )


@dataclass(frozen=True)
class ResolvedAudio:
    track: AudioTrack
    src: Path
    media: MediaInfo
    #: Where the track starts in the output's sound, and how many samples of it play.
    start_sample: int
    samples: int
    #: The part of the source used: samples [first, last) at the output's rate.
    trim: tuple[int, int] | None
    fade_in: int
    fade_out: int


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
    #: The language (ISO 639-2) of the caption track put in the file, or None for no track,
    #: and the cues as an .srt file the track is muxed from.
    subtitle_track: str | None = None
    subtitle_track_file: Path | None = None
    #: Whether the WebVTT cues carry each word's time (word-by-word and karaoke captions).
    subtitle_word_times: bool = False
    #: What resolving found that works, but not quite as written (a font's bold face
    #: missing...), located like spec errors; the CLI prints them as warnings.
    warnings: tuple[SpecIssue, ...] = ()

    @property
    def fps(self) -> Fraction:
        return Fraction(self.output.fps)

    @property
    def seconds(self) -> Fraction:
        """The length of the video as encoded: its frames at the output rate."""
        return Fraction(self.frame_count) / self.fps

    @property
    def sample_rate(self) -> int:
        return self.output.audio.sample_rate if self.output.audio else 48000

    @property
    def samples(self) -> int:
        """Samples of the output's sound: exactly as long as its frames."""
        return round(self.seconds * self.sample_rate)


def with_files(resolved: ResolvedSpec, move: Mover) -> ResolvedSpec:
    """The same spec with every file it reads replaced by ``move(path, kind)`` (the farm
    ships a spec's files to machines where they live under other names)."""

    def luts(files: tuple[Path, ...]) -> tuple[Path, ...]:
        return tuple(move(file, "file", ()) for file in files)

    scenes = tuple(
        replace(
            scene,
            layers=tuple(
                replace(moved, luts=luts(moved.luts))
                for moved in (layer.moved(move) for layer in scene.layers)
            ),
            narration=(
                replace(scene.narration, src=move(scene.narration.src, "file", ()))
                if scene.narration
                else None
            ),
        )
        for scene in resolved.scenes
    )
    return replace(
        resolved,
        scenes=scenes,
        overlays=tuple(o.moved(move) for o in resolved.overlays),
        audio=tuple(replace(a, src=move(a.src, "file", ())) for a in resolved.audio),
    )
