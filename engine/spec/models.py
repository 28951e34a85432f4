"""The top-level spec: output, defaults, scenes, overlays and audio tracks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    Strict,
    Tag,
    field_validator,
    model_validator,
)

from engine.errors import excerpt
from engine.layers import Layer, Overlay
from engine.spec.captions import Subtitles
from engine.spec.common import (
    MAX_SECONDS,
    Color,
    Fit,
    Model,
    PathStr,
    PositiveSeconds,
    Seconds,
    TextStyle,
    Word,
)
from engine.spec.output import Output
from engine.spec.parts import Trim
from engine.spec.voice import NarrationVoice

#: The ffmpeg ``xfade`` transitions, plus ``cut`` for none.
TransitionName = Literal[
    "cut",
    "fade",
    "fadeblack",
    "fadewhite",
    "fadegrays",
    "dissolve",
    "pixelize",
    "distance",
    "wipeleft",
    "wiperight",
    "wipeup",
    "wipedown",
    "wipetl",
    "wipetr",
    "wipebl",
    "wipebr",
    "slideleft",
    "slideright",
    "slideup",
    "slidedown",
    "smoothleft",
    "smoothright",
    "smoothup",
    "smoothdown",
    "circlecrop",
    "rectcrop",
    "circleclose",
    "circleopen",
    "horzclose",
    "horzopen",
    "vertclose",
    "vertopen",
    "diagbl",
    "diagbr",
    "diagtl",
    "diagtr",
    "hlslice",
    "hrslice",
    "vuslice",
    "vdslice",
    "radial",
    "zoomin",
    "squeezeh",
    "squeezev",
    "hlwind",
    "hrwind",
    "vuwind",
    "vdwind",
    "coverleft",
    "coverright",
    "coverup",
    "coverdown",
    "revealleft",
    "revealright",
    "revealup",
    "revealdown",
]


#: How clips' own sound fades across a transition: ffmpeg ``afade`` curves (``equal-power``
#: is another name for ``qsin``). docs/spec.md, "Sound at transitions", gives each formula.
SoundCurve = Literal["qsin", "equal-power", "tri", "hsin", "exp", "log"]


class TransitionSound(Model):
    """Clips' own sound crossfades over the transition: the outgoing scene's fades out while
    the incoming scene's fades in, over the same samples."""

    curve: SoundCurve = Field(
        "qsin",
        description="The gain curve, in at x and out at 1 - x of the way through the "
        "transition: qsin (equal-power, the default), tri (linear), hsin, exp, log.",
    )


def _checked_sound(value: object) -> object:
    """``audio`` is a mapping (a crossfade) or ``cut``: anything else is named as such."""
    if not isinstance(value, dict | TransitionSound) and value != "cut":
        raise ValueError(
            f"expected cut or a mapping such as {{curve: qsin}} (got {excerpt(value)})"
        )
    return value


def _sound_choice(value: object) -> str:
    # Capitalised, as pydantic names union members: the error paths leave them out.
    return "Cut" if value == "cut" else "Crossfade"


#: A transition's ``audio``: ``{curve: ...}`` or ``cut``.
TransitionAudio = Annotated[
    Annotated[TransitionSound, Tag("Crossfade")] | Annotated[Literal["cut"], Tag("Cut")],
    Discriminator(_sound_choice),
    BeforeValidator(_checked_sound),
]


class Transition(Model):
    """How a scene enters from the previous one. The two scenes overlap by ``duration``."""

    type: TransitionName = "fade"
    duration: PositiveSeconds = 1.0
    audio: TransitionAudio = Field(
        default_factory=TransitionSound,
        description="How clips' own sound crosses the transition: a crossfade, {curve: qsin} "
        "by default, or cut: the outgoing clip plays on to its scene's end and the incoming "
        "one fades in linearly (reelspec's sound before crossfades).",
    )


class Defaults(Model):
    transition: Transition | None = Field(
        None, description="Transition into every scene after the first, unless it sets its own."
    )
    text: TextStyle = Field(default_factory=TextStyle)
    fit: Fit = "cover"
    background: Color = "#000000"


class Narration(Model):
    """Speech for a scene, synthesised offline; it starts at the scene's start (plus delay)."""

    text: str = Field(min_length=1, max_length=5000)
    voice: NarrationVoice = Field(
        "en",
        description="A language (en, zh, fr, ...) or an espeak voice id; or {engine, name}, "
        "such as {engine: piper, name: en_US-joe-medium} for a neural voice.",
    )
    rate: int | None = Field(None, ge=60, le=500, description="Words per minute.")
    volume: float = Field(1.0, ge=0, le=1)
    delay: Seconds = Field(0.0, description="Silence before the speech starts.")
    padding: Seconds = Field(
        0.5,
        description="Time after the speech before the scene ends, when the narration "
        "decides the scene's duration.",
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("narration text is empty")
        return value


#: How many scenes, layers, overlays and tracks a spec may have: far more than any real video,
#: few enough that validation, resolving and the filter graph stay quick.
MAX_SCENES = 10_000
MAX_LAYERS = 256
MAX_OVERLAYS = 10_000
MAX_TRACKS = 256


class Scene(Model):
    name: Word | None = None
    duration: PositiveSeconds | None = Field(
        None,
        description="Seconds; omitted when narration, a video or an image sequence decides it.",
    )
    transition: Transition | None = Field(
        None, description="Transition from the previous scene; {type: cut} for none."
    )
    background: Color | None = None
    narration: Narration | None = None
    layers: list[Layer] = Field(min_length=1, max_length=MAX_LAYERS)


class Duck(Model):
    """Lower this track while any narration speaks."""

    depth: float = Field(12.0, gt=0, le=60, description="How far to lower it, in dB.")
    attack: Seconds = Field(0.2, description="Seconds to go down before the speech starts.")
    release: Seconds = Field(0.5, description="Seconds to come back up after it ends.")


#: A scene named by its index (a number, from 0) or by its ``name`` (text). Strict, so a
#: quoted "2" is a name and never silently an index.
SceneRef = Annotated[int, Strict(), Field(ge=0, lt=MAX_SCENES)] | Word


class TrackAnchor(Model):
    """A place on the timeline named by what shows there: the first frame of a scene, or the
    frame a layer of it starts showing, moved by ``offset``. It follows the scene wherever
    the scenes before it put it."""

    scene: SceneRef = Field(description="The scene: its index (from 0) or its name.")
    layer: int | None = Field(
        None,
        ge=0,
        lt=MAX_LAYERS,
        description="A layer of that scene (index from 0): the anchor is where it starts showing.",
    )
    offset: float = Field(
        0.0,
        ge=-MAX_SECONDS,
        le=MAX_SECONDS,
        description="Seconds after the anchor (negative: before it).",
    )


class AudioTrack(Model):
    src: PathStr
    start: Seconds = Field(0.0, description="Where the track starts on the video's timeline.")
    at: TrackAnchor | None = Field(
        None, description="Start at a scene or a layer instead of at a time (not with start)."
    )
    trim: Trim = Field(default_factory=Trim)
    volume: float = Field(1.0, ge=0, le=10)
    fade_in: Seconds = 0.0
    fade_out: Seconds = Field(0.0, description="Fade at the end of the track or of the video.")
    loop: bool = Field(False, description="Repeat the (trimmed) track to fill the video.")
    duck: Duck | None = Field(None, description="Lower the track under narration.")

    @model_validator(mode="after")
    def _one_start(self) -> AudioTrack:
        # ``start`` has a default, so whether it was written is what counts.
        if self.at is not None and "start" in self.model_fields_set:
            raise ValueError(
                "a track starts either at a time (start) or at a scene or layer (at), not both"
            )
        return self


class Spec(Model):
    version: Literal[1] = Field(description="Spec format version.")
    output: Output
    defaults: Defaults = Field(default_factory=Defaults)
    scenes: list[Scene] = Field(min_length=1, max_length=MAX_SCENES)
    overlays: list[Overlay] = Field(default_factory=list, max_length=MAX_OVERLAYS)
    audio: list[AudioTrack] = Field(default_factory=list, max_length=MAX_TRACKS)
    subtitles: Subtitles | None = None
