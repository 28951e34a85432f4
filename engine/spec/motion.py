"""Latent motion for generator layers (keyframes, random walks, explicit points), and what
every model option says about the model file (trust, value range)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from engine.spec.common import Model, PositiveSeconds

Interpolation = Literal["slerp", "linear"]
ValueRange = Literal["auto", "tanh", "sigmoid"]

TRUST = (
    "Load models that can run arbitrary code (.h5, SavedModel folders, Lambda layers). Only "
    "for files you trust."
)
RANGE = (
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
