"""Run a Plan: start ffmpeg, report progress, and put the result in place atomically.

The output is written to a temporary file beside the destination and renamed over it only
when ffmpeg succeeds; a failure or Ctrl-C removes the temporary and leaves the destination as
it was. The provenance manifest and any subtitle sidecars are written to temporaries too and
published with the video as one set (engine.publish.publish_together): on any failure,
a full disk included, none of them is left. Every destination is checked before ffmpeg starts:
only regular files are ever replaced.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__
from engine.compile.plan import Plan
from engine.errors import RenderError, RenderInterrupted, Stalled, UserError
from engine.paths import target_problem
from engine.proc.ffmpeg import (
    compact_input_guard,
    ffmpeg_binary,
    ffmpeg_version,
    input_guard,
)
from engine.publish import (
    json_bytes,
    publish_together,
    sync_file,
    temporary_beside,
    write_temporary,
)
from engine.run.supervise import (
    ProgressCallback,
    run_ffmpeg,
    stall_retries,
)

if TYPE_CHECKING:
    from engine.run.feeds import FrameSources

#: Above this many characters the graph goes through a file: one argv string is capped by the
#: kernel at 128 KiB on Linux, and a long spec's graph can pass that.
GRAPH_IN_FILE_ABOVE = 60_000
#: Above this many bytes of command line, inputs get the short demuxer whitelist (Linux
#: refuses command lines of over 2 MiB with their environment).
ARGV_BUDGET = 1_000_000


@dataclass(frozen=True)
class RenderResult:
    output: Path
    manifest: Path | None
    argv: tuple[str, ...]
    seconds: float


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".reelspec.json")


def render(
    plan: Plan,
    output: Path,
    *,
    on_progress: ProgressCallback | None = None,
    spec_hash: str | None = None,
    write_manifest: bool = True,
    extra_provenance: dict[str, object] | None = None,
    sidecars: Mapping[Path, bytes] | None = None,
    cancel: threading.Event | None = None,
    frames: FrameSources | None = None,
) -> RenderResult:
    """Run ``plan`` into ``output``, with its manifest (unless ``write_manifest`` is off) and
    ``sidecars`` (files written beside it, such as subtitles) published together.

    A UserError before anything runs when a destination is not a regular file; RenderError
    when ffmpeg fails or a file cannot be written (a full disk); RenderInterrupted on Ctrl-C
    or when ``cancel`` is set while ffmpeg runs. In every failure nothing new is left. A plan
    with feeds (frames made by models) needs ``frames``, which makes them (engine.pipeline
    wires the models in; the runner knows nothing of them)."""
    # Long on purpose: one try/finally owns every temporary (the video, the graph file, the
    # manifest, the sidecars) so that no path out — success, failure, Ctrl-C — leaves one.
    output, manifest, extras = _destinations(output, write_manifest, sidecars)
    graph_files: list[Path] = []
    tmp: Path | None = None
    started = time.monotonic()
    try:
        if cancel is not None and cancel.is_set():
            raise RenderInterrupted(f"stopped; {output} was not written")
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_beside(output, f".part{output.suffix}")
        extra = ("-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats")
        argv = plan.argv(ffmpeg_binary(), str(tmp), extra, input_guard)
        # (A graph longer than GRAPH_IN_FILE_ABOVE goes through a file, below.)
        if sum(len(a) + 1 for a in argv if len(a) <= GRAPH_IN_FILE_ABOVE) > ARGV_BUDGET:
            argv = plan.argv(ffmpeg_binary(), str(tmp), extra, compact_input_guard)
        for at, arg in enumerate(argv):
            if arg == "-filter_complex" and len(argv[at + 1]) > GRAPH_IN_FILE_ABOVE:
                gfd, graph_name = tempfile.mkstemp(prefix=".reelspec-graph-", suffix=".txt")
                with os.fdopen(gfd, "w", encoding="utf-8") as handle:
                    handle.write(argv[at + 1])
                graph_files.append(Path(graph_name))
                argv[at : at + 2] = ["-/filter_complex", graph_name]
        feeders = None
        if plan.feeds:
            from engine.run.feeds import Feeders

            if frames is None:
                raise RenderError("this plan streams frames made by a model; none was given")
            # Models are loaded and traced here, before ffmpeg starts.
            feeders = Feeders(plan.feeds, frames)
        attempts = 1 + stall_retries()
        for attempt in range(1, attempts + 1):
            try:
                run_ffmpeg(argv, plan, on_progress, feeders, cancel, output)
                break
            except Stalled:
                # A stall is ffmpeg's own scheduler deadlocking now and then (see
                # docs/decisions/0006); the same command normally runs through when started
                # again, so try again before giving up.
                if attempt == attempts:
                    raise
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise RenderError("ffmpeg finished but wrote nothing", argv)
        elapsed = time.monotonic() - started
        provenance = {**_model_provenance(plan, frames), **(extra_provenance or {})}
        shown = _publish(tmp, output, manifest, extras, plan, spec_hash, elapsed, provenance)
    except KeyboardInterrupt:
        raise RenderInterrupted(f"interrupted; {output} was not written") from None
    except OSError as exc:
        raise write_error(exc, output) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        for graph_file in graph_files:
            graph_file.unlink(missing_ok=True)
    return RenderResult(output, manifest, tuple(shown), elapsed)


def publish_made(
    data: bytes,
    output: Path,
    plan: Plan,
    *,
    seconds: float,
    spec_hash: str | None = None,
    sidecars: Mapping[Path, bytes] | None = None,
    extra_provenance: dict[str, object] | None = None,
) -> RenderResult:
    """A video made elsewhere (by a farm worker, from ``plan``) put in place the way
    ``render`` puts its own: with its manifest and sidecars, as one set, or not at all."""
    output, manifest, extras = _destinations(output, True, sidecars)
    tmp: Path | None = None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = write_temporary(output, data)
        provenance = {**_model_provenance(plan, None), **(extra_provenance or {})}
        shown = _publish(tmp, output, manifest, extras, plan, spec_hash, seconds, provenance)
    except KeyboardInterrupt:
        raise RenderInterrupted(f"interrupted; {output} was not written") from None
    except OSError as exc:
        raise write_error(exc, output) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return RenderResult(output, manifest, tuple(shown), seconds)


def _destinations(
    output: Path, write_manifest: bool, sidecars: Mapping[Path, bytes] | None
) -> tuple[Path, Path | None, dict[Path, bytes]]:
    """The output, its manifest and sidecars as absolute paths, each checked to be a regular
    file or nothing (a UserError before anything runs otherwise). Folders are resolved
    through their links; the names are not, so a link at a destination is refused."""
    output = Path(os.path.realpath(output.parent)) / output.name
    manifest = manifest_path(output) if write_manifest else None
    extras = {
        Path(os.path.realpath(p.parent)) / p.name: data for p, data in (sidecars or {}).items()
    }
    for target in (output, *([manifest] if manifest else []), *extras):
        problem = target_problem(target)
        if problem:
            raise UserError(f"cannot write the output: {problem}")
    return output, manifest, extras


def _publish(
    tmp: Path,
    output: Path,
    manifest: Path | None,
    extras: Mapping[Path, bytes],
    plan: Plan,
    spec_hash: str | None,
    elapsed: float,
    extra_provenance: dict[str, object] | None,
) -> list[str]:
    """Put a finished video (``tmp``) in place with its manifest and sidecars: everything is
    written before anything is renamed, and the video goes last, so its presence means its
    manifest and sidecars are there too. Returns the command as shown in the manifest."""
    shown = plan.argv(ffmpeg_binary(), output=str(output))
    staged: list[tuple[Path, Path]] = []
    try:
        sync_file(tmp)
        for path, data in extras.items():
            staged.append((write_temporary(path, data), path))
        if manifest is not None:
            record = {
                "output": output.name,
                "spec_hash": spec_hash,
                "reelspec_version": __version__,
                "ffmpeg": {"path": ffmpeg_binary(), "version": ffmpeg_version()},
                "command": shown,
                "duration": round(plan.duration, 6),
                "frame_count": plan.frame_count,
                "has_audio": plan.has_audio,
                "render_seconds": round(elapsed, 3),
                **(extra_provenance or {}),
            }
            staged.append((write_temporary(manifest, json_bytes(record)), manifest))
        staged.append((tmp, output))
        publish_together(staged)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return shown


def write_error(exc: OSError, output: Path) -> RenderError | UserError:
    """A failed write as the error it is: a full disk is a render failure (exit 3), a folder
    the user may not write a user mistake (exit 2)."""
    where = exc.filename or output
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return RenderError(
            f"no space left on the device holding {where}; {output.name} was not written"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"cannot write {where}: {exc.strerror}")
    return RenderError(
        f"cannot write {where}: {exc.strerror or exc}; {output.name} was not written"
    )


def _model_provenance(plan: Plan, frames: FrameSources | None) -> dict[str, object]:
    """Which models made frames (with their SHA-256), from which seeds and motions, and the
    library versions that ran them (when they ran here)."""
    if not plan.feeds:
        return {}
    import dataclasses

    return {
        "model_feeds": [
            {"kind": type(feed).__name__, **dataclasses.asdict(feed)} for feed in plan.feeds
        ],
        **(frames.versions() if frames is not None else {}),
    }
