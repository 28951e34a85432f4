"""WCAG 2.x contrast: what text and highlight colours are chosen by, so every generated card
is readable (a ratio of at least 4.5:1 against everything behind the text)."""

from __future__ import annotations

import colorsys
import itertools
from collections.abc import Sequence

from engine.spec.common import color_rgba

#: WCAG 2.x AA for body text.
MIN_CONTRAST = 4.5

RGB = tuple[int, int, int]


def rgb(color: str) -> RGB:
    r, g, b, _ = color_rgba(color)
    return r, g, b


def hex_color(value: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*value)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str | RGB) -> float:
    """WCAG 2.x relative luminance: 0 (black) to 1 (white)."""
    r, g, b = rgb(color) if isinstance(color, str) else color
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str | RGB, b: str | RGB) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def gradient_colors(stops: Sequence[str], steps: int = 64) -> list[RGB]:
    """The colours a gradient through ``stops`` passes through, as it is drawn (each channel
    interpolated in sRGB, then rounded: engine/resolve/gradient.py)."""
    points = [rgb(c) for c in stops]
    out: list[RGB] = [points[0]]
    for a, b in itertools.pairwise(points):
        for i in range(1, steps + 1):
            t = i / steps
            out.append(
                (
                    round(a[0] + (b[0] - a[0]) * t),
                    round(a[1] + (b[1] - a[1]) * t),
                    round(a[2] + (b[2] - a[2]) * t),
                )
            )
    return out


def worst_contrast(color: str, backgrounds: Sequence[str | RGB]) -> float:
    """The lowest contrast of ``color`` against any of ``backgrounds``."""
    return min(contrast_ratio(color, bg) for bg in backgrounds)


def readable(
    candidates: Sequence[str], backgrounds: Sequence[str | RGB], avoid: Sequence[str] = ()
) -> str:
    """The first candidate with at least MIN_CONTRAST against every background (and unlike the
    ``avoid`` colours); with none, the first candidate made lighter or darker until it has."""
    others = {rgb(c) for c in avoid}
    for color in candidates:
        if rgb(color) not in others and worst_contrast(color, backgrounds) >= MIN_CONTRAST:
            return color
    return adjusted(candidates[0], backgrounds)


def adjusted(color: str, backgrounds: Sequence[str | RGB]) -> str:
    """``color`` with its hue kept, moved in lightness towards white or black (the side that
    gets there first) until it reads against every background; black or white at worst."""
    r, g, b = rgb(color)
    hue, light, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    for step in range(1, 41):
        for target in (1.0, 0.0):
            lightness = light + (target - light) * step / 40
            shifted = colorsys.hls_to_rgb(hue, lightness, sat)
            value = hex_color(
                (round(shifted[0] * 255), round(shifted[1] * 255), round(shifted[2] * 255))
            )
            if worst_contrast(value, backgrounds) >= MIN_CONTRAST:
                return value
    best = max(("#ffffff", "#000000"), key=lambda c: worst_contrast(c, backgrounds))
    return best
