"""Frame producers: run a model over latent vectors (generators) or decoded frames (frame
models) and hand out rgb24 bytes, one batch at a time.

Inference runs in a ``tf.function`` with a fixed batch shape (one trace, no retracing; about
7–8× faster than eager calls at small batches). A generator always runs whole batches aligned
to multiples of ``batch`` in the layer's frame numbering — frames outside the wanted range are
made and dropped — so frame ``i`` is computed with exactly the same inputs whichever window of
the layer is asked for, and a farm chunk's frames equal the whole render's bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from engine.errors import ModelError
from engine.feeds import FrameModelFeed, GeneratorFeed
from engine.gan.loading import load_model
from engine.gan.motion import motion_latents
from engine.gan.tf import require
from engine.spec.motion import Motion

_MOTION: TypeAdapter[Any] = TypeAdapter(Motion)


def _to_pixels(tf: Any, values: Any, value_range: str) -> Any:
    scaled = (values + 1.0) * 127.5 if value_range == "tanh" else values * 255.0
    return tf.cast(tf.clip_by_value(tf.round(scaled), 0.0, 255.0), tf.uint8)


def _from_pixels(tf: Any, pixels: Any, value_range: str) -> Any:
    values = tf.cast(pixels, tf.float32)
    return values / 127.5 - 1.0 if value_range == "tanh" else values / 255.0


class GeneratorFrames:
    """The frames of a :class:`GeneratorFeed`, made batch by batch."""

    def __init__(self, feed: GeneratorFeed) -> None:
        tf, _ = require()
        self.feed = feed
        self.motion = _MOTION.validate_json(feed.motion_json)
        model = load_model(Path(feed.model), trust=feed.trust_model)
        signature = tf.TensorSpec([feed.batch, feed.latent_dim], tf.float32)

        def infer(latents: Any) -> Any:
            return _to_pixels(tf, model(latents, training=False), feed.value_range)

        self._infer = tf.function(infer, input_signature=[signature])
        # Trace now: errors in the model show before ffmpeg starts, and the first batch is not
        # slowed by tracing.
        out = self._infer.get_concrete_function().structured_outputs
        if tuple(out.shape) != (feed.batch, feed.height, feed.width, 3):
            raise ModelError(
                f"{feed.model}: makes pictures of shape {tuple(out.shape)[1:]}, expected "
                f"({feed.height}, {feed.width}, 3)"
            )

    def latents(self, frames: np.ndarray) -> np.ndarray:
        feed = self.feed
        return motion_latents(
            self.motion,
            seed=feed.seed,
            latent_dim=feed.latent_dim,
            layer_frames=feed.layer_frames,
            fps=Fraction(feed.fps),
            frames=frames,
            truncation=feed.truncation,
        )

    def batches(self, decoded: Iterable[np.ndarray] | None = None) -> Iterator[bytes]:
        """The feed's frames (a generator is given no decoded frames: it makes its own)."""
        feed = self.feed
        end = feed.first + feed.count
        start = feed.first - feed.first % feed.batch
        for base in range(start, end, feed.batch):
            frames = np.arange(base, base + feed.batch)
            pixels = self._infer(self.latents(frames)).numpy()
            keep = (frames >= feed.first) & (frames < end)
            yield pixels[keep].tobytes()


class FrameModelFrames:
    """Decoded frames of a clip, passed through an image-to-image model."""

    def __init__(self, feed: FrameModelFeed) -> None:
        tf, _ = require()
        self.feed = feed
        model = load_model(Path(feed.model), trust=feed.trust_model)
        # A fixed batch shape: one trace, and the same kernels for the last, short batch.
        signature = tf.TensorSpec([feed.batch, feed.height, feed.width, 3], tf.uint8)

        def infer(pixels: Any) -> Any:
            values = _from_pixels(tf, pixels, feed.value_range)
            return _to_pixels(tf, model(values, training=False), feed.value_range)

        self._infer = tf.function(infer, input_signature=[signature])
        self._infer.get_concrete_function()

    def batches(self, decoded: Iterable[np.ndarray] | None = None) -> Iterator[bytes]:
        if decoded is None:
            raise ValueError("a frame model restyles decoded frames; none were given")
        batch = self.feed.batch
        for frames in decoded:
            if len(frames) < batch:  # the last, short batch: padded to the traced shape
                padded = np.concatenate([frames, np.repeat(frames[-1:], batch - len(frames), 0)])
                yield self._infer(padded).numpy()[: len(frames)].tobytes()
            else:
                yield self._infer(frames).numpy().tobytes()


def sample_pictures(
    path: Path, seeds: list[int], *, truncation: float = 1.0, trust: bool = False
) -> np.ndarray:
    """uint8 (len(seeds), H, W, 3): one picture per seed (the seed's normal draw as latent)."""
    from engine.gan.loading import inspect_model
    from engine.spec.motion import Latents

    info = inspect_model(path, trust=trust)
    if len(info.input_shape) != 1 or len(info.output_shape) != 3 or not info.output_range:
        raise ModelError(f"{path}: not a generator with a known value range")
    height, width, _ = info.output_shape
    assert info.input_shape[0] and height and width
    points: list[int | list[float]] = list(seeds)
    motion = Latents(kind="latents", points=points, interpolation="linear")
    feed = GeneratorFeed(
        pipe=0, model=str(path), model_sha256=info.sha256, trust_model=trust,
        value_range=info.output_range, latent_dim=info.input_shape[0], width=width,
        height=height, fps="1", motion_json=motion.model_dump_json(), seed=0,
        truncation=truncation, layer_frames=len(seeds), first=0, count=len(seeds),
        batch=len(seeds),
    )  # fmt: skip
    data = b"".join(GeneratorFrames(feed).batches())
    return np.frombuffer(data, np.uint8).reshape(len(seeds), height, width, 3)
