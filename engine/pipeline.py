"""The stages end to end: load → resolve → compile → run. The CLI and later batch and farm
code call these rather than stitching the stages themselves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.compile import Plan, compile_plan, compile_still
from engine.resolve import ResolvedSpec, resolve
from engine.run.render import ProgressCallback, RenderResult, render
from engine.spec import load_spec
from engine.spec.loader import LoadedSpec


@dataclass(frozen=True)
class Prepared:
    loaded: LoadedSpec
    resolved: ResolvedSpec


def prepare(spec_path: str | Path) -> Prepared:
    """Load and resolve a spec; raises SpecError with every problem found."""
    loaded = load_spec(spec_path)
    return Prepared(loaded, resolve(loaded))


def plan_for(prepared: Prepared, window: tuple[float, float] | None = None) -> Plan:
    return compile_plan(prepared.resolved, window)


def render_spec(
    spec_path: str | Path,
    output: str | Path | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    write_manifest: bool = True,
) -> RenderResult:
    prepared = prepare(spec_path)
    plan = compile_plan(prepared.resolved)
    target = Path(output) if output is not None else prepared.resolved.output_path
    result = render(
        plan,
        target,
        on_progress=on_progress,
        spec_hash=prepared.resolved.spec_hash,
        write_manifest=write_manifest,
    )
    write_subtitles(prepared.resolved, result.output)
    return result


def write_subtitles(resolved: ResolvedSpec, output: Path) -> list[Path]:
    """The spec's subtitle sidecars (``out.srt``, ``out.vtt``) beside ``output``."""
    from engine.resolve.subtitles import to_srt, to_vtt
    from engine.run.files import write_bytes_atomic

    written = []
    cues = list(resolved.subtitles)
    for kind in resolved.subtitle_files:
        text = to_srt(cues) if kind == "srt" else to_vtt(cues)
        path = output.with_suffix(f".{kind}")
        write_bytes_atomic(path, text.encode("utf-8"))
        written.append(path)
    return written


def render_still(spec_path: str | Path, at: float, output: str | Path) -> RenderResult:
    prepared = prepare(spec_path)
    target = Path(output)
    plan = compile_still(prepared.resolved, at, str(target))
    return render(plan, target, write_manifest=False)
