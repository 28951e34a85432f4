"""Resolving the models a spec uses: generator layers and frame models on video layers.

Each model file is checked (safe to load, right shapes for its use) when the spec is resolved,
so a wrong model is a located spec error before ffmpeg starts. TensorFlow is imported only
when a model's shapes are not cached yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.errors import ModelError
from engine.gan.loading import inspect_model, shape_text
from engine.resolved import ResolvedModel


def _range(path: Path, wanted: str, found: str | None) -> str:
    if wanted != "auto":
        return wanted
    if found is None:
        raise ModelError(
            f"{path}: cannot tell the range of the model's output from its last activation; "
            f"set value_range: tanh (-1..1) or sigmoid (0..1)"
        )
    return found


def resolve_generator(
    path: Path, *, trust: bool, value_range: str, points: Sequence[object] = ()
) -> ResolvedModel:
    """A generator model, checked: one latent vector in, RGB pictures of a fixed size out;
    ``points`` are the motion's latent points (vectors must have the model's length)."""
    info = inspect_model(path, trust=trust)
    if len(info.input_shape) != 1 or info.input_shape[0] is None:
        raise ModelError(
            f"{path}: a generator takes one latent vector per frame (input shape (batch, N)); "
            f"this model's input is {shape_text(info.input_shape)}"
        )
    out = info.output_shape
    if len(out) != 3 or out[0] is None or out[1] is None or out[2] != 3:
        raise ModelError(
            f"{path}: a generator must output RGB pictures of a fixed size "
            f"(batch, height, width, 3); this model outputs {shape_text(out)}"
        )
    latent = info.input_shape[0]
    for i, point in enumerate(points):
        if isinstance(point, list) and len(point) != latent:
            raise ModelError(
                f"motion.points[{i}] has {len(point)} numbers; the model's latent vectors "
                f"have {latent}"
            )
    return ResolvedModel(
        path=path,
        sha256=info.sha256,
        trust=trust,
        value_range=_range(path, value_range, info.output_range),
        latent_dim=latent,
        in_size=None,
        out_size=(out[1], out[0]),
    )


def resolve_frame_model(
    path: Path,
    *,
    trust: bool,
    value_range: str,
    clip_size: tuple[int, int],
    canvas: tuple[int, int],
) -> ResolvedModel:
    """A frame model, checked: RGB pictures in, pictures of the same size out; one that takes
    any size works at the clip's size shrunk to fit the canvas."""
    info = inspect_model(path, trust=trust)
    shape_in, shape_out = info.input_shape, info.output_shape
    if len(shape_in) != 3 or shape_in[2] != 3:
        raise ModelError(
            f"{path}: a frame model takes RGB pictures (batch, height, width, 3); this model "
            f"takes {shape_text(shape_in)}"
        )
    resized = info.output_for_64 is not None and tuple(info.output_for_64[:2]) != (64, 64)
    if (
        len(shape_out) != 3
        or shape_out[2] != 3
        or tuple(shape_out[:2]) != tuple(shape_in[:2])
        or resized
    ):
        raise ModelError(
            f"{path}: a frame model must return RGB pictures of the size it is given; this "
            f"model takes {shape_text(shape_in)} and returns {shape_text(shape_out)}"
            + (f" (64×64 in, {shape_text(info.output_for_64 or ())} out)" if resized else "")
        )
    h, w = shape_in[0], shape_in[1]
    size = _within(clip_size, canvas) if h is None or w is None else (w, h)
    return ResolvedModel(
        path=path,
        sha256=info.sha256,
        trust=trust,
        value_range=_range(path, value_range, info.output_range),
        latent_dim=None,
        in_size=size,
        out_size=size,
    )


def _within(size: tuple[int, int], bounds: tuple[int, int]) -> tuple[int, int]:
    """A clip's size shrunk (never enlarged) to fit inside the canvas, in even pixels: a
    size-free model then works at the resolution the video shows."""
    w, h = size
    scale = min(1.0, bounds[0] / w, bounds[1] / h)
    return max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2)
