"""Value types shared by every part of the spec: colors, sizes, frame rates, positions, text."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from engine.errors import excerpt

# --- bounds -----------------------------------------------------------------------------------
# Hard ceilings on the numbers and strings a spec may hold. They sit far beyond any real video
# (so no legitimate spec meets them) and well inside what Pillow, ffmpeg and Python arithmetic
# handle without blowing up; they are part of the JSON Schema. The adjustable limits
# (REELSPEC_MAX_SIDE, REELSPEC_MAX_FPS, REELSPEC_MAX_DURATION) are checked on top of these, on
# the resolved video. docs/security.md lists them all.

#: Defaults of the adjustable limits on the frame (REELSPEC_MAX_SIDE, REELSPEC_MAX_FPS).
DEFAULT_MAX_SIDE = 8192
DEFAULT_MAX_FPS = 240.0

#: Any time in a spec (durations, starts, ends, fades, delays): 24 hours, four times the
#: default REELSPEC_MAX_DURATION.
MAX_SECONDS = 86_400.0
#: Pixel positions and shifts (x, y, offset): four times the default REELSPEC_MAX_SIDE.
MAX_POSITION = 32_768
#: Pixel lengths that size something drawn or scaled (an image's width, a wrap width).
MAX_LENGTH_PX = 16_384
#: Distance from the frame edge.
MAX_MARGIN = 8_192
#: Text box padding and corner radius; a drawn text card is capped separately
#: (REELSPEC_MAX_CARD_PIXELS).
MAX_PADDING = 2_048
MAX_RADIUS = 4_096
#: Shadow offset in pixels, either way.
MAX_SHADOW_OFFSET = 1_024
#: Frame rates (output and image sequences); REELSPEC_MAX_FPS (240) applies on top.
MAX_FPS = 1_000
#: A path or font name, and one component of a path (the common file-system limit, in bytes).
MAX_PATH_CHARS = 4_096
MAX_NAME_BYTES = 255
#: Short words: names, voices, presets.
MAX_WORD_CHARS = 200


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
    """Base of every spec model: immutable, unknown keys are errors, and no number may be
    infinite or NaN (``.inf``, ``.nan``, ``1e5000`` read as a float)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _check_path(value: str) -> str:
    control = _CONTROL.search(value)
    if control:
        # Never part of a real file name; echoed in messages they could drive the terminal.
        raise ValueError(
            f"a path cannot contain control characters (found {control.group()!r} in "
            f"{excerpt(value)})"
        )
    if not value.strip():
        raise ValueError("expected a file path, got an empty string")
    for part in re.split(r"[/\\]", value):
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise ValueError(
                f"a file or folder name is at most {MAX_NAME_BYTES} bytes; {excerpt(part)} is "
                f"{len(part.encode('utf-8', 'surrogatepass'))}"
            )
    return value


#: A path in a spec (media, fonts, models, the output): bounded in length, no NUL, and no
#: name longer than file systems allow (such names made the OS calls fail with ENAMETOOLONG).
PathStr = Annotated[
    str,
    Field(min_length=1, max_length=MAX_PATH_CHARS),
    AfterValidator(_check_path),
]
#: A short free-form word (a scene name, a voice).
Word = Annotated[str, Field(max_length=MAX_WORD_CHARS)]


def _normalize_color(value: str) -> str:
    text = value.strip().lower()
    if text in NAMED_COLORS:
        return NAMED_COLORS[text]
    match = _HEX.match(text)
    if not match:
        raise ValueError(
            "expected a color as #rgb, #rrggbb, #rrggbbaa or a name like 'white' "
            f"(got {excerpt(value)})"
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def any_case(word: str) -> str:
    """A JSON Schema regex matching ``word`` in any letter case (schemas have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


#: What a color may be written as, for editors (the validator itself also trims spaces).
COLOR_PATTERN = (
    r"^\s*(#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|"
    + "|".join(any_case(name) for name in NAMED_COLORS)
    + r")\s*$"
)

Color = Annotated[
    str,
    Field(
        max_length=64,
        json_schema_extra={"examples": ["#ffffff", "#00000080", "white"], "pattern": COLOR_PATTERN},
    ),
    AfterValidator(_normalize_color),
]


def _normalize_background(value: str) -> str:
    return "blur" if value.strip().lower() == "blur" else _normalize_color(value)


Background = Annotated[
    str,
    Field(
        max_length=64,
        json_schema_extra={
            "pattern": COLOR_PATTERN.replace("^\\s*(", "^\\s*([bB][lL][uU][rR]|", 1)
        },
    ),
    AfterValidator(_normalize_background),
    Field(description="A color, or 'blur' for a blurred, zoomed copy of the picture itself."),
]


def color_rgba(color: str) -> tuple[int, int, int, int]:
    """A normalized color string as an (r, g, b, a) tuple of 0-255 ints."""
    digits = _normalize_color(color).lstrip("#")
    alpha = int(digits[6:8], 16) if len(digits) == 8 else 255
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha


_SIZE = r"^ *([0-9]{1,5}) *[xX×] *([0-9]{1,5}) *$"


def _check_size(value: str) -> str:
    match = re.fullmatch(_SIZE, value)
    if not match or int(match.group(1)) <= 0 or int(match.group(2)) <= 0:
        raise ValueError(f"expected WIDTHxHEIGHT such as 1920x1080 (got {excerpt(value)})")
    return f"{int(match.group(1))}x{int(match.group(2))}"


#: Sides of up to five digits; REELSPEC_MAX_SIDE (8192) is checked on the resolved spec.
Size = Annotated[str, Field(max_length=32, pattern=_SIZE), AfterValidator(_check_size)]


def size_tuple(size: str) -> tuple[int, int]:
    width, height = size.split("x")
    return int(width), int(height)


def _normalize_fps(value: object) -> str:
    expected = f"expected a frame rate such as 30 or 30000/1001 (got {excerpt(value)})"
    if isinstance(value, bool):
        raise ValueError(expected)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"the frame rate must be a finite number (got {excerpt(value)})")
    if isinstance(value, str) and len(value) > 32:
        raise ValueError(expected)
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
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ValueError(expected) from None
    if rate <= 0:
        raise ValueError(f"the frame rate must be positive (got {excerpt(value)})")
    if rate > MAX_FPS:
        raise ValueError(
            f"the frame rate must be at most {MAX_FPS} frames per second (got {excerpt(value)})"
        )
    # A ratio written with huge terms ("1.000000000000000000001") is not a frame rate ffmpeg
    # can hold in 32-bit integers; 1001ths are the finest real rates need.
    rate = rate.limit_denominator(1_000_000)
    if rate <= 0:
        raise ValueError(f"the frame rate must be positive (got {excerpt(value)})")
    return str(rate)


Fps = Annotated[
    str,
    BeforeValidator(_normalize_fps),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_FPS},
                {
                    "type": "string",
                    "maxLength": 32,
                    "pattern": r"^\s*([0-9]{1,9}(\.[0-9]{1,9})?|[0-9]{1,9}/[0-9]{1,9})\s*$",
                },
            ],
            "examples": [30, "30000/1001"],
        }
    ),
    Field(description="Frames per second: an integer, a decimal, or a ratio like 30000/1001."),
]

Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
PositiveSeconds = Annotated[float, Field(gt=0, le=MAX_SECONDS)]
#: A pixel position or shift, either way.
Position = Annotated[int, Field(ge=-MAX_POSITION, le=MAX_POSITION)]

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
    margin: int = Field(
        0, ge=0, le=MAX_MARGIN, description="Distance from the frame edge, in pixels."
    )
    offset: tuple[Position, Position] = Field((0, 0), description="Extra [dx, dy] shift in pixels.")
    x: Position | None = Field(
        None, description="Absolute left edge in pixels (overrides position)."
    )
    y: Position | None = Field(
        None, description="Absolute top edge in pixels (overrides position)."
    )


class Stroke(Model):
    width: int = Field(2, ge=0, le=64)
    color: Color = "#000000"


ShadowShift = Annotated[int, Field(ge=-MAX_SHADOW_OFFSET, le=MAX_SHADOW_OFFSET)]


class Shadow(Model):
    offset: tuple[ShadowShift, ShadowShift] = (3, 3)
    color: Color = "#00000099"
    blur: int = Field(2, ge=0, le=64)


class Box(Model):
    color: Color = "#00000099"
    padding: int = Field(16, ge=0, le=MAX_PADDING)
    radius: int = Field(0, ge=0, le=MAX_RADIUS)


class TextStyle(Model):
    """How text is drawn. Every field left out is taken from ``defaults.text`` and then from the
    built-in style, so styles compose: defaults < layer."""

    font: PathStr | None = Field(
        None, description="A family (sans, serif, mono, or an installed family name) or a path."
    )
    size: float | None = Field(None, gt=0, le=2000, description="Font size in pixels.")
    color: Color | None = None
    weight: Literal["normal", "bold"] | None = None
    italic: bool | None = None
    align: Literal["left", "center", "right"] | None = None
    max_width: float | None = Field(
        None,
        gt=0,
        le=MAX_LENGTH_PX,
        description="Wrap width: pixels, or a fraction of the frame width if <= 1.",
    )
    line_spacing: float | None = Field(None, gt=0, le=5)
    stroke: Stroke | None = None
    shadow: Shadow | None = None
    box: Box | None = None
    highlight: Color | None = Field(
        None, description="Color of the words a text layer lists in `highlights`."
    )
