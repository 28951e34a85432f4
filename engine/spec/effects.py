"""Effects on a layer's picture, and how a layer blends with what is below it.

An effect is a one-key mapping in a layer's (or an overlay's) ``effects`` list, the key naming
the effect (``- flip: horizontal``, ``- blur: 4``, ``- chroma_key: {color: "#00ff00"}``).
Each is its own small model with bounded values; :data:`Effect` is their union, told apart by
the key. The filters they become live in engine/compile/effects.py, and docs/spec.md
("Effects", "Blend modes") says what each does.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator

from engine.errors import excerpt
from engine.spec.common import Color, Model, PathStr, color_rgba

#: Effects on one layer: each is a filter on every frame it shows.
MAX_EFFECTS = 16


class Flip(Model):
    flip: Literal["horizontal", "vertical", "both"] = Field(
        description="Mirror left-right, top-bottom, or both."
    )


class Rotate(Model):
    rotate: Literal[90, 180, 270] = Field(description="Degrees clockwise; 90 and 270 swap sides.")


class CropBox(Model):
    """A part of the picture, in fractions of its width and height from its top-left corner."""

    x: float = Field(0.0, ge=0, lt=1)
    y: float = Field(0.0, ge=0, lt=1)
    width: float = Field(1.0, gt=0, le=1)
    height: float = Field(1.0, gt=0, le=1)

    @model_validator(mode="after")
    def _inside(self) -> CropBox:
        sides = ((self.x, self.width, "x + width"), (self.y, self.height, "y + height"))
        for start, side, names in sides:
            if start + side > 1 + 1e-9:
                raise ValueError(
                    f"the crop leaves the picture: {names} is {start + side:g} (at most 1)"
                )
        return self


class Crop(Model):
    crop: CropBox


class Brightness(Model):
    brightness: float = Field(ge=-1, le=1, description="Added to luma (-1 to 1 of full scale).")


class Contrast(Model):
    contrast: float = Field(ge=0, le=4, description="Luma scaled about mid-grey (1: unchanged).")


class Saturation(Model):
    saturation: float = Field(ge=0, le=3, description="0: grey, 1: unchanged.")


class Gamma(Model):
    gamma: float = Field(ge=0.1, le=10, description="Luma gamma (1: unchanged, above 1: lighter).")


class Hue(Model):
    hue: float = Field(ge=-360, le=360, description="Degrees; 120 turns red towards green.")


class Lut(Model):
    lut: PathStr = Field(description="A .cube 3D LUT (LUT_3D_SIZE 2-64), relative to the spec.")


class Blur(Model):
    blur: float = Field(gt=0, le=256, description="Gaussian sigma, in pixels of the picture.")


class Sharpen(Model):
    sharpen: float = Field(gt=0, le=5, description="Unsharp-mask amount (1: moderate).")


class Vignette(Model):
    vignette: float = Field(
        gt=0, le=1, description="Strength: the corners darken to cos(strength x 90 deg)^4."
    )


class KeyOptions(Model):
    color: Color = Field("#00ff00", description="The colour made transparent.")
    similarity: float = Field(
        0.3, ge=0.01, le=1, description="How far from the colour still keys (0.01: exactly it)."
    )
    blend: float = Field(0.1, ge=0, le=1, description="Soft edge: 0 keys fully or not at all.")
    spill: bool = Field(
        True, description="Take the key's green or blue cast off what is kept (green/blue keys)."
    )

    @model_validator(mode="after")
    def _spill_for_green_or_blue(self) -> KeyOptions:
        if "spill" in self.model_fields_set and self.spill and spill_kind(self.color) is None:
            raise ValueError(
                f"spill suppression works for green or blue keys, not {self.color}; "
                "set spill: false"
            )
        return self


def _key_shorthand(value: object) -> object:
    return {"color": value} if isinstance(value, str) else value


class ChromaKey(Model):
    chroma_key: Annotated[KeyOptions, BeforeValidator(_key_shorthand)] = Field(
        default_factory=KeyOptions, description="A colour, or {color, similarity, blend, spill}."
    )


def spill_kind(color: str) -> Literal["green", "blue"] | None:
    """Which cast a key colour leaves on what is kept: green or blue, when that channel
    leads; None for other colours (no spill suppression)."""
    r, g, b, _ = color_rgba(color)
    if g > max(r, b):
        return "green"
    if b > max(r, g):
        return "blue"
    return None


#: Every effect, by the key that names it.
EFFECTS: dict[str, type[Model]] = {
    "flip": Flip,
    "rotate": Rotate,
    "crop": Crop,
    "brightness": Brightness,
    "contrast": Contrast,
    "saturation": Saturation,
    "gamma": Gamma,
    "hue": Hue,
    "lut": Lut,
    "blur": Blur,
    "sharpen": Sharpen,
    "vignette": Vignette,
    "chroma_key": ChromaKey,
}
#: The effects that move pixels (and may change the picture's size), not their values.
GEOMETRY = (Flip, Rotate, Crop)


def _one_effect(value: Any) -> Any:
    """An item must be a mapping of exactly one known effect: said plainly, with a
    did-you-mean, before the union tries its members."""
    if isinstance(value, Model):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        got = f"keys {', '.join(map(str, value))}" if isinstance(value, dict) else excerpt(value)
        raise ValueError(f"an effect is one key and its value, like 'blur: 4' (got {got})")
    (key,) = value
    if key not in EFFECTS:
        close = difflib.get_close_matches(str(key)[:64], list(EFFECTS), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown effect {excerpt(key)}{hint} (effects: {', '.join(EFFECTS)})")
    return value


def _tag(value: Any) -> str | None:
    """The union member for an item: the name of its key's model. The tags are the models'
    class names, capitalised as pydantic names a union's members, so located messages leave
    them out of the path (``effects[0].blur``, not ``effects[0].Blur.blur``)."""
    if isinstance(value, Model):
        return type(value).__name__
    if isinstance(value, dict) and len(value) == 1:
        model = EFFECTS.get(next(iter(value)))
        return model.__name__ if model is not None else None
    return None


if TYPE_CHECKING:
    Effect = Model
else:
    #: One effect: the models of :data:`EFFECTS`, told apart by their key.
    Effect = Annotated[
        Union[tuple(Annotated[m, Tag(m.__name__)] for m in EFFECTS.values())],  # noqa: UP007
        Discriminator(_tag),
        BeforeValidator(_one_effect),
    ]


def _colour_only(effect: Model) -> Model:
    if not isinstance(effect, COLOUR):
        (key,) = type(effect).model_fields
        raise ValueError(
            f"a color layer takes only colour effects ({', '.join(_COLOUR_KEYS)}), not {key}"
        )
    return effect


#: The effects that change colours pixel by pixel (and the vignette): all a plain color
#: layer can show.
COLOUR = (Brightness, Contrast, Saturation, Gamma, Hue, Lut, Vignette)
_COLOUR_KEYS = [key for key, model in EFFECTS.items() if model in COLOUR]

Effects = Annotated[list[Effect], Field(max_length=MAX_EFFECTS)]
#: A plain color's effects: colour effects only.
ColourEffects = Annotated[
    list[Annotated[Effect, AfterValidator(_colour_only)]], Field(max_length=MAX_EFFECTS)
]

Blend = Literal["normal", "multiply", "screen", "overlay", "darken", "lighten", "add", "difference"]


class WithEffects(Model):
    """A picture that takes effects: layers and overlays."""

    effects: Effects = Field(
        default_factory=list,
        description="Filters on the picture, in order: flip, rotate, crop, brightness, "
        "contrast, saturation, gamma, hue, lut, blur, sharpen, vignette, chroma_key.",
    )


class Blended(WithEffects):
    """A scene layer: effects, and how it combines with the layers below it."""

    blend: Blend = Field(
        "normal", description="How the layer combines with what is below it in its scene."
    )
