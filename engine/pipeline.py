"""The stages end to end: load → resolve → compile → run. The CLI and later batch and farm
code call these rather than stitching the stages themselves."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.compile.compiler import compile_plan, compile_still
from engine.compile.plan import Plan
from engine.errors import SpecError, SpecIssue, UserError
from engine.gan.sources import MODEL_FRAMES
from engine.paths import check_output, check_spec_paths, output_roots
from engine.resolve.resolver import resolve
from engine.resolved import ResolvedSpec
from engine.run.render import RenderResult, render
from engine.run.supervise import ProgressCallback
from engine.spec.loader import LoadedSpec, load_spec
from engine.timebase import exact, frame_at


@dataclass(frozen=True)
class Prepared:
    loaded: LoadedSpec
    resolved: ResolvedSpec


def prepare(spec_path: str | Path) -> Prepared:
    """Load and resolve a spec; raises SpecError with every problem found. Paths that leave
    the media or output root are reported (located) before any file is opened."""
    loaded = load_spec(spec_path)
    check_spec_paths(loaded)
    return Prepared(loaded, resolve(loaded))


def output_target(prepared: Prepared, output: str | Path | None, what: str = "-o") -> Path:
    """Where a render writes: the spec's own output, or ``output`` (a command-line path,
    relative to the current folder), which must lie inside the output root too."""
    if output is None:
        return prepared.resolved.output_path
    target = Path(os.path.abspath(output))
    return check_output(target, output_roots(prepared.loaded.base_dir), what)


def plan_for(prepared: Prepared, window: tuple[float, float] | None = None) -> Plan:
    """The plan of the whole video, or of the frames that start in [t0, t1) seconds."""
    return compile_plan(prepared.resolved, window_frames(prepared.resolved, window))


def window_frames(
    resolved: ResolvedSpec, window: tuple[float, float] | None
) -> tuple[int, int] | None:
    """Seconds [t0, t1) as frames, checked against the video: a UserError when the window is
    not finite, not ordered or holds none of the video's frames."""
    if window is None:
        return None
    t0, t1 = window
    if not (math.isfinite(t0) and math.isfinite(t1)) or t1 <= t0:
        raise UserError(f"the window must be two finite times START < END (got {t0:g}:{t1:g})")
    f0 = max(0, frame_at(exact(t0), resolved.fps))
    f1 = min(resolved.frame_count, frame_at(exact(t1), resolved.fps))
    if f1 <= f0:
        raise UserError(
            f"the window {t0:g}:{t1:g}s holds none of the video's frames "
            f"(it lasts {float(resolved.seconds):g}s)"
        )
    return f0, f1


def frame_shown_at(resolved: ResolvedSpec, at: float) -> int:
    """The frame on screen at ``at`` seconds (frame n shows from n/fps until the next one);
    a UserError when that is not a time inside the video."""
    seconds = float(resolved.seconds)
    if not math.isfinite(at) or at < 0 or at >= seconds:
        raise UserError(
            f"--at must be a time inside the video, from 0 to under {seconds:g}s (got {at:g})"
        )
    return min(resolved.frame_count - 1, math.floor(exact(at) * resolved.fps))


def render_spec(
    spec_path: str | Path,
    output: str | Path | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    write_manifest: bool = True,
    on_warnings: Callable[[tuple[SpecIssue, ...]], None] | None = None,
) -> RenderResult:
    """Render a spec; ``on_warnings`` is told what resolving warned of before it starts."""
    prepared = prepare(spec_path)
    if on_warnings is not None and prepared.resolved.warnings:
        on_warnings(prepared.resolved.warnings)
    target = output_target(prepared, output)
    plan = compile_plan(prepared.resolved)
    return render(
        plan,
        target,
        on_progress=on_progress,
        spec_hash=prepared.resolved.spec_hash,
        write_manifest=write_manifest,
        sidecars=subtitle_sidecars(prepared.resolved, target),
        frames=MODEL_FRAMES,
    )


def subtitle_sidecars(resolved: ResolvedSpec, output: Path) -> dict[Path, bytes]:
    """The spec's subtitle files (``out.srt``, ``out.vtt``) beside ``output``, as the bytes
    to publish with the video."""
    from engine.resolve.subtitles import to_srt, to_vtt

    cues = list(resolved.subtitles)
    files = {}
    for kind in resolved.subtitle_files:
        text = to_srt(cues) if kind == "srt" else to_vtt(cues, resolved.subtitle_word_times)
        files[output.with_suffix(f".{kind}")] = text.encode("utf-8")
    return files


def render_still(spec_path: str | Path, at: float, output: str | Path) -> RenderResult:
    """The frame on screen at ``at`` seconds, written as an image."""
    prepared = prepare(spec_path)
    out = prepared.resolved.output
    if out.audio_only:
        raise SpecError(
            [
                prepared.loaded.source.issue(
                    ("output", "path"),
                    f"a {out.container} file holds only sound, so there is no frame to show; "
                    f"`still` needs a spec that writes a video",
                )
            ]
        )
    target = output_target(prepared, output)
    frame = frame_shown_at(prepared.resolved, at)
    plan = compile_still(prepared.resolved, frame, str(target))
    return render(plan, target, write_manifest=False, frames=MODEL_FRAMES)
