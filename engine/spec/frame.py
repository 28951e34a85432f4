"""A picture placed in a box of its own instead of filling the frame (picture in picture), and
the decoration placed pictures share: rounded corners, a border and a drop shadow.

``Decoration`` is all a placed image (``fit: none``) takes; moving pictures (clips, image
sequences, generators, video overlays) take ``Boxed``: placement, a box and decoration.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from engine.spec.common import MAX_LENGTH_PX, MAX_RADIUS, Color, Model, Placed, Shadow

#: The widest border, in pixels.
MAX_BORDER = 1_024
#: Keys that place a picture in a box rather than over the whole frame.
PLACING = frozenset({"width", "height", "position", "margin", "offset", "x", "y"})
#: Keys that decorate a placed picture.
DECORATING = frozenset({"radius", "border", "shadow"})


class Border(Model):
    """A band of one color around the picture, inside its box."""

    width: int = Field(4, gt=0, le=MAX_BORDER, description="Pixels, inside the box's edge.")
    color: Color = "#ffffff"


class Decoration(Model):
    """How a placed picture is framed: drawn once, while the spec is resolved."""

    radius: int = Field(
        0, ge=0, le=MAX_RADIUS, description="Corner radius of the box's outer edge, in pixels."
    )
    border: Border | None = Field(None, description="A border inside the box's edge.")
    shadow: Shadow | None = Field(
        None, description="A drop shadow of the box's shape, under it: {offset, color, blur}."
    )

    @property
    def decorated(self) -> bool:
        return bool(self.radius or self.border or self.shadow)


class Boxed(Placed, Decoration):
    """A moving picture placed like a ``fit: none`` image, fitted into a box of ``width`` ×
    ``height`` pixels (either: the other follows the picture's aspect; neither: its own
    size). Without any of these keys the picture fills the frame as before."""

    width: int | None = Field(
        None, gt=0, le=MAX_LENGTH_PX, description="The box's width in pixels (border included)."
    )
    height: int | None = Field(
        None, gt=0, le=MAX_LENGTH_PX, description="The box's height in pixels (border included)."
    )

    @property
    def placed(self) -> bool:
        """Whether the picture sits in a box of its own rather than filling the frame."""
        return bool(PLACING & self.model_fields_set)

    @model_validator(mode="after")
    def _decorates_a_box(self) -> Boxed:
        if self.decorated and not self.placed:
            used = sorted(key for key in DECORATING & self.model_fields_set if getattr(self, key))
            keys = " and ".join(used)
            verb = "decorates" if len(used) == 1 else "decorate"
            raise ValueError(
                f"{keys} {verb} only a placed picture: give it a width, a height or a "
                "position (without them it fills the whole frame)"
            )
        band = self.border.width if self.border else 0
        for side in (self.width, self.height):
            if side is not None and side <= 2 * band:
                raise ValueError(f"a border of {band} pixels leaves no room in {side} pixels")
        return self
