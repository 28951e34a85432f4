"""Linear and radial gradients, drawn once at the output size with numpy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from engine.cache import cached_file, content_key
from engine.spec.common import color_rgba

#: Rows computed at a time: the arithmetic needs several float arrays of the picture's size,
#: which for a whole 8192×8192 frame came to 5–6 GB; a band of rows keeps it to megabytes.
BAND_ROWS = 256


def draw_gradient(
    colors: Sequence[str], angle: float, kind: str, width: int, height: int
) -> Image.Image:
    """``colors`` spread evenly from one side to the other (``linear``, across the direction
    ``angle`` degrees from the x axis) or from the centre out (``radial``)."""
    import numpy as np  # only specs with gradients pay for importing numpy

    stops = np.array([color_rgba(c) for c in colors], dtype=np.float64)
    positions = np.linspace(0.0, 1.0, len(stops))
    xs = (np.arange(width, dtype=np.float64) + 0.5) / width - 0.5
    pixels = np.empty((height, width, 4), dtype=np.uint8)
    angle = math.radians(angle)
    dx, dy = math.cos(angle), math.sin(angle)
    reach = abs(0.5 * dx) + abs(0.5 * dy)
    for top in range(0, height, BAND_ROWS):
        rows = np.arange(top, min(height, top + BAND_ROWS), dtype=np.float64)
        ys = ((rows + 0.5) / height - 0.5)[:, None]
        if kind == "linear":
            # Project onto the direction and stretch so the corners reach 0 and 1 exactly.
            proj = xs[None, :] * dx + ys * dy
            t = proj / (2 * reach) + 0.5 if reach else np.zeros_like(proj)
        else:
            t = np.sqrt((xs[None, :] * 2) ** 2 + (ys * 2) ** 2) / math.sqrt(2)
        t = np.clip(t, 0.0, 1.0)
        for channel in range(4):
            band = np.interp(t, positions, stops[:, channel]).round()
            pixels[top : top + len(rows), :, channel] = band.astype(np.uint8)
    return Image.fromarray(pixels)


def gradient_image(colors: Sequence[str], angle: float, kind: str, width: int, height: int) -> Path:
    key = content_key(
        "gradient",
        {"colors": list(colors), "angle": angle, "kind": kind, "size": [width, height]},
    )

    def write(path: Path) -> None:
        draw_gradient(colors, angle, kind, width, height).save(path, format="PNG")

    return cached_file(key, ".png", write)
