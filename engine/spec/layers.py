"""Layer models: one class per ``type``, combined into one discriminated union.

Scene layers are stacked bottom to top. The compile step of each type lives in
``engine/compile/layers.py``, registered against the class defined here, so a type name is
written exactly once (in its ``type`` literal).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from engine.spec.common import (
    MAX_LENGTH_PX,
    MAX_WORD_CHARS,
    Background,
    Color,
    Fit,
    Fps,
    Model,
    PathStr,
    Placed,
    PlacedFit,
    Seconds,
    TextStyle,
)
from engine.spec.generator import FrameModelOption, GeneratorLayer


class Trim(Model):
    start: Seconds = 0.0
    end: Seconds | None = Field(None, description="End time in the source; omitted: to its end.")

    @model_validator(mode="after")
    def _ordered(self) -> Trim:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"trim.end ({self.end}) must be after trim.start ({self.start})")
        return self


class Zoom(Model):
    """Ken Burns zoom: scale factor at the start and at the end of the layer."""

    from_: float = Field(1.0, alias="from", ge=1.0, le=10.0)
    to: float = Field(1.15, ge=1.0, le=10.0)

    model_config = Model.model_config | {"populate_by_name": True}


#: A fraction of the picture. The bounds are in the schema only: the check below words the
#: error for both coordinates at once.
Fraction01 = Annotated[float, Field(json_schema_extra={"minimum": 0, "maximum": 1})]


class Pan(Model):
    """Ken Burns pan: the focus point moves between two anchors (0-1 fractions of the image)."""

    from_: tuple[Fraction01, Fraction01] = Field((0.5, 0.5), alias="from")
    to: tuple[Fraction01, Fraction01] = (0.5, 0.5)

    model_config = Model.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _inside(self) -> Pan:
        for point in (self.from_, self.to):
            if not all(0.0 <= c <= 1.0 for c in point):
                raise ValueError(f"pan points are fractions between 0 and 1 (got {list(point)})")
        return self


class Timed(Model):
    """A layer that may appear for only part of its scene (times relative to the scene)."""

    start: Seconds = 0.0
    end: Seconds | None = None
    fade_in: Seconds = 0.0
    fade_out: Seconds = 0.0

    @model_validator(mode="after")
    def _ordered(self) -> Timed:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end:g}) must be after start ({self.start:g})")
        return self


class ColorLayer(Model):
    type: Literal["color"]
    color: Color = "#000000"


class GradientLayer(Model):
    type: Literal["gradient"]
    kind: Literal["linear", "radial"] = "linear"
    colors: list[Color] = Field(min_length=2, max_length=16)
    angle: float = Field(
        90.0,
        ge=-360,
        le=360,
        description="Direction of a linear gradient in degrees; 90 = down.",
    )


class ImageLayer(Timed, Placed):
    type: Literal["image"]
    src: PathStr
    fit: PlacedFit | None = Field(
        None, description="How the image fills the frame; 'none' places it like an overlay."
    )
    background: Background | None = Field(
        None, description="What shows around a 'contain' image: a color, or a blurred copy."
    )
    zoom: Zoom | None = None
    pan: Pan | None = None
    width: int | None = Field(
        None, gt=0, le=MAX_LENGTH_PX, description="With fit 'none': scale to this width."
    )
    opacity: float = Field(1.0, ge=0, le=1)


class VideoLayer(Model):
    type: Literal["video"]
    src: PathStr
    trim: Trim = Field(default_factory=Trim)
    speed: float = Field(1.0, gt=0.0625, le=16)
    volume: float = Field(1.0, ge=0, le=10)
    audio: bool = Field(True, description="Keep the clip's own sound.")
    fit: Fit | None = None
    background: Background | None = None
    model: FrameModelOption | None = Field(
        None, description="Pass every frame through an image-to-image model (path or object)."
    )


class ImageSequenceLayer(Model):
    type: Literal["image_sequence"]
    src: PathStr = Field(
        description="A printf pattern (frames/img_%04d.png) or a glob (frames/*.png)."
    )
    fps: Fps = "25"
    fit: Fit | None = None
    background: Background | None = None


class TextLayer(Timed, Placed):
    type: Literal["text"]
    text: str = Field(min_length=1, max_length=5000)
    style: TextStyle = Field(default_factory=TextStyle)
    highlights: list[Annotated[str, Field(max_length=MAX_WORD_CHARS)]] = Field(
        default_factory=list,
        max_length=100,
        description="Words or phrases drawn in style.highlight color.",
    )


Layer = Annotated[
    ColorLayer
    | GradientLayer
    | ImageLayer
    | VideoLayer
    | ImageSequenceLayer
    | TextLayer
    | GeneratorLayer,
    Field(discriminator="type"),
]

#: Layers whose own length can decide a scene's duration.
TIMED_SOURCES = (VideoLayer, ImageSequenceLayer, GeneratorLayer)
