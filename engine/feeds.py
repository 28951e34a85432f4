"""Raw-frame feeds: inputs that ffmpeg reads from a pipe while a model makes the frames.

A feed is plain data in the Plan — which model, which frames, how they are made — so a plan
stays a pure, printable description; the runner turns each into a thread that writes rgb24
frames into ``pipe:N``. The first pipe is ffmpeg's stdin (``pipe:0``); later ones are 3, 4, …
(1 and 2 carry ffmpeg's progress and messages).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelFeed:
    """What every feed has: the pipe, the model, and the frames' size and batching."""

    pipe: int
    model: str
    model_sha256: str
    trust_model: bool
    value_range: str
    width: int
    height: int
    batch: int

    def _model_text(self) -> str:
        return f"{self.model} (sha256 {self.model_sha256[:12]})"


@dataclass(frozen=True)
class GeneratorFeed(ModelFeed):
    """Frames ``first`` .. ``first + count - 1`` of a generator layer."""

    latent_dim: int
    fps: str
    #: The generator layer's spec fields that decide its latents (motion, seed, truncation).
    motion_json: str
    seed: int
    truncation: float
    #: The layer's whole length in frames (keyframes are spread over it).
    layer_frames: int
    first: int
    count: int

    def describe(self) -> str:
        return (
            f"pipe:{self.pipe} <- generator {self._model_text()}, "
            f"frames {self.first}..{self.first + self.count - 1} of {self.layer_frames}, "
            f"seed {self.seed}, motion {self.motion_json}, truncation {self.truncation:g}, "
            f"{self.width}x{self.height} rgb24, batch {self.batch}"
        )


@dataclass(frozen=True)
class FrameModelFeed(ModelFeed):
    """A clip decoded by a second ffmpeg (``decode``, its arguments after the binary), passed
    through an image-to-image model, and fed on."""

    decode: tuple[str, ...]
    count: int

    def describe(self) -> str:
        return (
            f"pipe:{self.pipe} <- frame model {self._model_text()}, {self.count} frames "
            f"{self.width}x{self.height} rgb24, batch {self.batch}, "
            f"decoded by: ffmpeg {shlex.join(self.decode)}"
        )


Feed = GeneratorFeed | FrameModelFeed


def rawvideo_options(width: int, height: int, fps: str) -> tuple[str, ...]:
    return ("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", fps)
