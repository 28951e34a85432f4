"""Linear and radial gradients, drawn once at the output size with numpy."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image

from engine.resolve.cache import cached_file, content_key
from engine.spec.common import color_rgba
from engine.spec.layers import GradientLayer


def draw_gradient(layer: GradientLayer, width: int, height: int) -> Image.Image:
    import numpy as np  # only specs with gradients pay for importing numpy

    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    xs = (xs + 0.5) / width - 0.5
    ys = (ys + 0.5) / height - 0.5
    if layer.kind == "linear":
        angle = math.radians(layer.angle)
        dx, dy = math.cos(angle), math.sin(angle)
        # Project onto the direction and stretch so the corners reach 0 and 1 exactly.
        proj = xs * dx + ys * dy
        reach = abs(0.5 * dx) + abs(0.5 * dy)
        t = proj / (2 * reach) + 0.5 if reach else np.zeros_like(xs)
    else:
        t = np.sqrt((xs * 2) ** 2 + (ys * 2) ** 2) / math.sqrt(2)
    t = np.clip(t, 0.0, 1.0)
    stops = np.array([color_rgba(c) for c in layer.colors], dtype=np.float64)
    positions = np.linspace(0.0, 1.0, len(stops))
    channels = [np.interp(t, positions, stops[:, c]) for c in range(4)]
    pixels = np.stack(channels, axis=-1).round().astype(np.uint8)
    return Image.fromarray(pixels)


def gradient_image(layer: GradientLayer, width: int, height: int) -> Path:
    key = content_key("gradient", {"layer": layer.model_dump(), "size": [width, height]})

    def write(path: Path) -> None:
        draw_gradient(layer, width, height).save(path, format="PNG")

    return cached_file(key, ".png", write)
