"""Value types shared by every part of the spec: colors, sizes, frame rates, positions, text."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

NAMED_COLORS = {
    "black": "#000000",
    "white": "#ffffff",
    "red": "#ff0000",
    "green": "#008000",
    "lime": "#00ff00",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "cyan": "#00ffff",
    "magenta": "#ff00ff",
    "orange": "#ffa500",
    "purple": "#800080",
    "pink": "#ffc0cb",
    "gray": "#808080",
    "grey": "#808080",
    "navy": "#000080",
    "teal": "#008080",
    "transparent": "#00000000",
}

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


class Model(BaseModel):
    """Base of every spec model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _normalize_color(value: str) -> str:
    text = value.strip().lower()
    if text in NAMED_COLORS:
        return NAMED_COLORS[text]
    match = _HEX.match(text)
    if not match:
        raise ValueError(
            f"expected a color as #rgb, #rrggbb, #rrggbbaa or a name like 'white' (got {value!r})"
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


Color = Annotated[
    str,
    AfterValidator(_normalize_color),
    Field(json_schema_extra={"examples": ["#ffffff", "#00000080", "white"]}),
]


def _normalize_background(value: str) -> str:
    return "blur" if value.strip().lower() == "blur" else _normalize_color(value)


Background = Annotated[
    str,
    AfterValidator(_normalize_background),
    Field(description="A color, or 'blur' for a blurred, zoomed copy of the picture itself."),
]


def color_rgba(color: str) -> tuple[int, int, int, int]:
    """A normalized color string as an (r, g, b, a) tuple of 0-255 ints."""
    digits = _normalize_color(color).lstrip("#")
    alpha = int(digits[6:8], 16) if len(digits) == 8 else 255
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha


def _check_size(value: str) -> str:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", value)
    if not match or int(match.group(1)) <= 0 or int(match.group(2)) <= 0:
        raise ValueError(f"expected WIDTHxHEIGHT such as 1920x1080 (got {value!r})")
    return f"{int(match.group(1))}x{int(match.group(2))}"


Size = Annotated[str, AfterValidator(_check_size), Field(pattern=r"^\s*\d+\s*[xX×]\s*\d+\s*$")]


def size_tuple(size: str) -> tuple[int, int]:
    width, height = size.split("x")
    return int(width), int(height)


def _normalize_fps(value: object) -> str:
    if isinstance(value, bool):
        raise ValueError("expected a frame rate such as 30 or 30000/1001")
    try:
        if isinstance(value, (int, float)):
            rate = Fraction(value).limit_denominator(1001)
            # 23.976, 29.97, 59.94 ... are how people write the NTSC rates n*1000/1001.
            for base in (24, 30, 48, 60, 120, 240):
                if abs(value - base * 1000 / 1001) < 0.002:
                    rate = Fraction(base * 1000, 1001)
        elif isinstance(value, str):
            rate = Fraction(value.strip())
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ValueError(
            f"expected a frame rate such as 30 or 30000/1001 (got {value!r})"
        ) from None
    if rate <= 0:
        raise ValueError(f"frame rate must be positive (got {value!r})")
    return str(rate)


Fps = Annotated[
    str,
    BeforeValidator(_normalize_fps),
    Field(
        json_schema_extra={"examples": [30, "30000/1001"]},
        description="Frames per second: an integer, a decimal, or a ratio like 30000/1001.",
    ),
]

Seconds = Annotated[float, Field(ge=0)]
PositiveSeconds = Annotated[float, Field(gt=0)]

Anchor = Literal[
    "top-left",
    "top",
    "top-right",
    "left",
    "center",
    "right",
    "bottom-left",
    "bottom",
    "bottom-right",
]

Fit = Literal["contain", "cover", "fill", "blur"]
PlacedFit = Literal["contain", "cover", "fill", "blur", "none"]


class Placed(Model):
    """Where a layer that does not fill the frame sits: an anchor, a margin and an offset,
    or absolute x/y pixels of its top-left corner."""

    position: Anchor = "center"
    margin: int = Field(0, ge=0, description="Distance from the frame edge, in pixels.")
    offset: tuple[int, int] = Field((0, 0), description="Extra [dx, dy] shift in pixels.")
    x: int | None = Field(None, description="Absolute left edge in pixels (overrides position).")
    y: int | None = Field(None, description="Absolute top edge in pixels (overrides position).")


class Stroke(Model):
    width: int = Field(2, ge=0, le=64)
    color: Color = "#000000"


class Shadow(Model):
    offset: tuple[int, int] = (3, 3)
    color: Color = "#00000099"
    blur: int = Field(2, ge=0, le=64)


class Box(Model):
    color: Color = "#00000099"
    padding: int = Field(16, ge=0)
    radius: int = Field(0, ge=0)


class TextStyle(Model):
    """How text is drawn. Every field left out is taken from ``defaults.text`` and then from the
    built-in style, so styles compose: defaults < layer."""

    font: str | None = Field(
        None, description="A family (sans, serif, mono, or an installed family name) or a path."
    )
    size: float | None = Field(None, gt=0, le=2000, description="Font size in pixels.")
    color: Color | None = None
    weight: Literal["normal", "bold"] | None = None
    italic: bool | None = None
    align: Literal["left", "center", "right"] | None = None
    max_width: float | None = Field(
        None, gt=0, description="Wrap width: pixels, or a fraction of the frame width if <= 1."
    )
    line_spacing: float | None = Field(None, gt=0, le=5)
    stroke: Stroke | None = None
    shadow: Shadow | None = None
    box: Box | None = None
    highlight: Color | None = Field(
        None, description="Color of the words a text layer lists in `highlights`."
    )
