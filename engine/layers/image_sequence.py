"""``image_sequence``: numbered or globbed picture files played at their own frame rate, over
the frame or placed in a box of its own."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from engine.compile.framed import framed_stream, late_stream, own_time
from engine.compile.pictures import (
    LayerStream,
    canonical,
    conform,
    fit_chain,
    has_alpha,
    picture_background,
    picture_format,
)
from engine.errors import MediaError
from engine.layers.base import LayerType, PathKey
from engine.layers.placing import placed_frame
from engine.resolved import Framed, MediaInfo, Mover, ResolvedLayer
from engine.spec.animation import PlacedMoving
from engine.spec.common import Background, Fit, Fps, PathStr
from engine.spec.effects import Blended
from engine.spec.frame import Boxed
from engine.spec.parts import Timed
from engine.timebase import exact

if TYPE_CHECKING:
    from engine.compile.pictures import SceneContext
    from engine.resolve.context import ResolveContext


class ImageSequenceLayer(Timed, PlacedMoving, Boxed, Blended):
    type: Literal["image_sequence"]
    src: PathStr = Field(
        description="A printf pattern (frames/img_%04d.png) or a glob (frames/*.png)."
    )
    fps: Fps = "25"
    fit: Fit | None = None
    background: Background | None = None
    opacity: float = Field(1.0, ge=0, le=1)


@dataclass(frozen=True, kw_only=True)
class ResolvedSequence(ResolvedLayer):
    spec: ImageSequenceLayer
    #: The pattern ffmpeg reads, and how ("printf" from a start number, or "glob").
    src: Path
    pattern_kind: Literal["printf", "glob"]
    start_number: int
    frame_count: int
    #: The first frame, probed.
    media: MediaInfo
    length: Fraction
    #: Placed in a box of its own (None: it fills the frame).
    framed: Framed | None = None

    def moved(self, move: Mover) -> ResolvedSequence:
        framed = self.framed.moved(move) if self.framed else None
        return replace(
            self, src=move(self.src, "sequence", tuple(self.frame_files())), framed=framed
        )

    def frame_files(self) -> list[Path]:
        """Exactly the files ffmpeg reads (from the first number, as many as were counted;
        or every match of a glob)."""
        if self.pattern_kind == "glob":
            return sorted(Path(p) for p in glob.glob(str(self.src)))
        return [
            self.src.parent / (self.src.name % number)
            for number in range(self.start_number, self.start_number + self.frame_count)
        ]


_PRINTF = re.compile(r"%0?\d*d")


def _frames(pattern: Path, src: str) -> tuple[Literal["printf", "glob"], Path, int, int]:
    """How to read a sequence: (kind, first file, start number, frame count).

    A printf pattern is read the way ffmpeg reads it: from the lowest number present, for as
    many consecutive numbers as exist. A glob is every match, sorted by name."""
    if _PRINTF.search(pattern.name):

        def name_of(number: int) -> str:
            try:
                return pattern.name % number  # ffmpeg's patterns are printf's (%% is a %)
            except (TypeError, ValueError):
                raise MediaError(f"{src}: use exactly one %d-style number (img_%04d.png)") from None

        # Any run of digits where the number goes is a candidate for the first frame.
        literal = [re.escape(part) for part in _PRINTF.split(pattern.name.replace("%%", "%"))]
        finder = re.compile("^" + r"(\d+)".join(literal) + "$")
        folder = pattern.parent
        candidates = sorted(
            int(match.group(1))
            for entry in (folder.iterdir() if folder.is_dir() else [])
            if (match := finder.match(entry.name)) and entry.name == name_of(int(match.group(1)))
        )
        if not candidates:
            raise MediaError(f"no frames match {src}")
        start = candidates[0]
        count = 0
        while (folder / name_of(start + count)).is_file():
            count += 1
        return "printf", folder / name_of(start), start, count
    if any(ch in src for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(pattern)))
        if not files:
            raise MediaError(f"no frames match {src}")
        return "glob", files[0], 0, len(files)
    raise MediaError(f"{src} is neither a printf pattern (img_%04d.png) nor a glob (*.png)")


class ImageSequenceType(LayerType):
    model = ImageSequenceLayer

    def resolve(
        self, ctx: ResolveContext, path: PathKey, spec: ImageSequenceLayer
    ) -> ResolvedSequence | None:
        pattern = ctx.source(spec.src)
        found = ctx.attempt((*path, "src"), lambda: _frames(pattern, spec.src))
        if found is None:
            return None
        kind, first, start_number, count = found
        media = ctx.media((*path, "src"), first, "picture")
        if media is None:
            return None
        framed = None
        if spec.placed:
            framed = placed_frame(ctx, path, spec, media.size, has_alpha(media))
            if framed is None:
                return None
        return ResolvedSequence(
            spec=spec,
            src=pattern,
            pattern_kind=kind,
            start_number=start_number,
            frame_count=count,
            media=media,
            length=exact(spec.start) + Fraction(count) / Fraction(spec.fps),
            framed=framed,
        )

    def compile(self, ctx: SceneContext, layer: ResolvedSequence) -> LayerStream:
        spec = layer.spec
        ctx = own_time(ctx, layer.window, layer.framed)
        options = ["-framerate", spec.fps]
        if layer.pattern_kind == "glob":
            options = ["-pattern_type", "glob", *options]
        else:
            options += ["-start_number", str(layer.start_number)]
        index = ctx.g.add_input(str(layer.src), *options)
        alpha = has_alpha(layer.media)
        if layer.framed is not None:
            size = layer.media.size
            return framed_stream(
                ctx, f"{index}:v", size, layer.framed, "bicubic", conform(ctx), alpha
            )
        tail = [*canonical(picture_format(ctx, layer.media)), *conform(ctx)]
        label = fit_chain(
            ctx,
            f"{index}:v",
            layer.media.size,
            spec.fit or ctx.fit,
            picture_background(layer.media, spec.background),
            "bicubic",
            tail,
        )
        return late_stream(ctx, LayerStream(label, full=True, opaque=not alpha), layer.window)

    def covers_frame(self, layer: ResolvedSequence, default_fit: str) -> bool:
        return not has_alpha(layer.media) and layer.framed is None


TYPE = ImageSequenceType()
