"""A text layer's style: the defaults, the spec's styles merged over them, and the resolved
form drawing needs (font files, pixel sizes)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.resolve.fonts import Face
from engine.spec.common import Box, Shadow, Stroke, TextStyle

BUILTIN_STYLE = TextStyle(
    font="sans",
    size=48,
    color="#ffffff",
    weight="normal",
    italic=False,
    align="center",
    max_width=0.9,
    line_spacing=1.2,
)


@dataclass(frozen=True)
class ResolvedTextStyle:
    #: The chosen face first, then the fallbacks tried for characters it lacks.
    faces: tuple[Face, ...]
    size: float
    color: str
    align: str
    max_width_px: int
    line_spacing: float
    stroke: Stroke | None
    shadow: Shadow | None
    box: Box | None
    highlight: str | None = None


def merge_styles(*styles: TextStyle) -> TextStyle:
    """Later styles override earlier ones field by field; unset fields fall through."""
    merged: dict[str, object] = {}
    for style in styles:
        merged.update({k: v for k, v in style if v is not None})
    return TextStyle.model_validate(merged)


def resolve_style(
    style: TextStyle, font: Face | str, frame_width: int, fallbacks: tuple[Face, ...] = ()
) -> ResolvedTextStyle:
    assert style.size is not None and style.color is not None and style.max_width is not None
    max_width = style.max_width
    max_px = round(max_width * frame_width) if max_width <= 1 else int(max_width)
    return ResolvedTextStyle(
        faces=tuple(dict.fromkeys([font if isinstance(font, Face) else Face(font), *fallbacks])),
        size=float(style.size),
        color=style.color,
        align=style.align or "center",
        max_width_px=max(1, max_px),
        line_spacing=float(style.line_spacing or 1.2),
        stroke=style.stroke,
        shadow=style.shadow,
        box=style.box,
        highlight=style.highlight,
    )
