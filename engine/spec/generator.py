"""Spec models for video made by models: the ``generator`` layer, its latent motion, and the
frame model a ``video`` layer may run its frames through."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from engine.spec.common import Background, Fit, Model, PathStr, PositiveSeconds

Interpolation = Literal["slerp", "linear"]
ValueRange = Literal["auto", "tanh", "sigmoid"]

_TRUST = (
    "Load models that can run arbitrary code (.h5, SavedModel folders, Lambda layers). Only "
    "for files you trust."
)
_RANGE = (
    "The range of the pixel values the model makes (and a frame model takes): tanh (-1..1) or "
    "sigmoid (0..1); auto reads it from the model's last activation."
)


class Keyframes(Model):
    """``keyframes`` random latent points, spread evenly over the layer's time."""

    kind: Literal["keyframes"]
    keyframes: int = Field(4, ge=2, le=10_000)
    interpolation: Interpolation = "slerp"
    loop: bool = Field(False, description="Return to the first keyframe at the end.")


class RandomWalk(Model):
    """A smooth random walk: a new point every ``step`` seconds, each ``angle`` radians (on the
    latent sphere) from the last, interpolated between."""

    kind: Literal["random_walk"]
    step: PositiveSeconds = 1.0
    angle: float = Field(0.6, gt=0, le=1.5708, description="How far each step goes, 0-π/2.")
    interpolation: Interpolation = "slerp"


#: A seed (its normal draw is the vector) or the vector itself: latent vectors hold standard
#: normal draws, so values past ±1000 or more than 4096 of them are no latent point.
LatentPoint = (
    Annotated[int, Field(ge=0, lt=2**32)]
    | Annotated[list[Annotated[float, Field(ge=-1000, le=1000)]], Field(max_length=4096)]
)


class Latents(Model):
    """Explicit points: latent vectors, or integer seeds whose normal draw is the vector."""

    kind: Literal["latents"]
    points: list[LatentPoint] = Field(min_length=2, max_length=10_000)
    interpolation: Interpolation = "slerp"
    loop: bool = False


Motion = Annotated[Keyframes | RandomWalk | Latents, Field(discriminator="kind")]


class GeneratorLayer(Model):
    """Frames made by a generator model (latent vector in, picture out), streamed into ffmpeg."""

    type: Literal["generator"]
    model: PathStr = Field(description="A Keras model file (.keras), relative to the spec.")
    seed: int = Field(0, ge=0, lt=2**32)
    motion: Motion = Field(default_factory=lambda: Keyframes(kind="keyframes"))
    duration: PositiveSeconds | None = Field(
        None, description="The layer's length; a scene without a duration takes it."
    )
    truncation: float = Field(
        1.0, gt=0, le=2, description="Latents are scaled by this: below 1, safer, duller frames."
    )
    fit: Fit | None = Field(None, description="How the model's small frames fill the frame.")
    background: Background | None = None
    batch: int = Field(16, ge=1, le=1024, description="Frames generated per model call.")
    trust_model: bool = Field(False, description=_TRUST)
    value_range: ValueRange = Field("auto", description=_RANGE)


def _model_shorthand(value: object) -> object:
    return {"path": value} if isinstance(value, str) else value


class FrameModel(Model):
    """An image-to-image model every frame of a clip is passed through."""

    path: PathStr = Field(description="A Keras model file (.keras), relative to the spec.")
    batch: int = Field(8, ge=1, le=1024, description="Frames per model call.")
    trust_model: bool = Field(False, description=_TRUST)
    value_range: ValueRange = Field("auto", description=_RANGE)

    @model_validator(mode="after")
    def _named(self) -> FrameModel:
        if not self.path.strip():
            raise ValueError("path must name a model file")
        return self


FrameModelOption = Annotated[FrameModel, BeforeValidator(_model_shorthand)]
