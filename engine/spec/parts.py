"""Pieces several layer types share: a trim of a source, Ken Burns zoom and pan, the timing of
a layer that shows for only part of its scene, and the timing of an overlay."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from engine.spec.common import Model, Seconds


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


class Timing(Model):
    """When an overlay shows, on the absolute timeline of the finished video."""

    start: Seconds = 0.0
    end: Seconds | None = Field(None, description="Omitted: until the end of the video.")
    fade: Seconds = Field(0.0, description="Fade in and out, unless fade_in/fade_out are set.")
    fade_in: Seconds | None = None
    fade_out: Seconds | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Timing:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self

    @property
    def fade_in_seconds(self) -> float:
        return self.fade if self.fade_in is None else self.fade_in

    @property
    def fade_out_seconds(self) -> float:
        return self.fade if self.fade_out is None else self.fade_out
