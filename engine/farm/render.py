"""Rendering one spec on a Dask cluster: chunks on workers, sound once here, joined without
re-encoding, written atomically."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.compile import compile_audio_plan
from engine.compile.graph import Input
from engine.compile.output import REPRODUCIBLE_COPY, container_args
from engine.compile.plan import Plan
from engine.errors import ConfigError, RenderError, SpecError, SpecIssue
from engine.farm.chunks import plan_chunks
from engine.farm.package import make_portable
from engine.pipeline import prepare, write_subtitles
from engine.run.files import write_bytes_atomic
from engine.run.render import RenderResult, render


@dataclass(frozen=True)
class FarmProgress:
    chunks_done: int
    chunks_total: int
    frames_done: int
    frames_total: int
    workers: int
    dashboard: str | None = None


FarmCallback = Callable[[FarmProgress], None]


def require_dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError("the render farm needs Dask: pip install 'reelspec[farm]'") from None
    return distributed


@contextmanager
def farm_client(
    scheduler: str | None, workers: int | None = None, threads_per_worker: int = 1
) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a LocalCluster on this machine that
    listens on loopback only."""
    distributed = require_dask()
    if scheduler:
        with distributed.Client(scheduler, timeout="30s") as client:
            yield client
        return
    import os

    count = workers or max(1, os.cpu_count() or 1)
    with (
        distributed.LocalCluster(
            n_workers=count,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def dashboard_link(client: Any) -> str | None:
    try:
        link = client.dashboard_link
    except Exception:
        return None
    return str(link) if link else None


def farm_render(
    spec_path: str | Path,
    output: str | Path | None = None,
    *,
    scheduler: str | None = None,
    chunk_seconds: float | None = None,
    chunks: int | None = None,
    workers: int | None = None,
    client: Any = None,
    on_progress: FarmCallback | None = None,
) -> RenderResult:
    prepared = prepare(spec_path)
    resolved = prepared.resolved
    if resolved.output.video.codec == "gif":
        raise SpecError(
            [
                SpecIssue(
                    "the farm joins chunks without re-encoding, which GIF "
                    "cannot do; render GIFs with `reelspec render`",
                    "output.video.codec",
                )
            ]
        )
    windows = plan_chunks(resolved, chunk_seconds=chunk_seconds, chunks=chunks)
    portable = make_portable(resolved)
    target = Path(output) if output is not None else resolved.output_path
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.farm-", dir=target.parent))
    suffix = resolved.output_path.suffix
    # The sound in the output's own container, so the encoder delay (AAC priming) it records
    # survives the copy into the final file.
    audio_file = work / f"audio{suffix}"
    audio_plan = compile_audio_plan(resolved, str(audio_file))
    audio_errors: list[BaseException] = []

    def render_sound() -> None:
        try:
            if audio_plan is not None:
                render(audio_plan, audio_file, write_manifest=False)
        except BaseException as exc:
            audio_errors.append(exc)

    # The sound renders here while the workers render pictures.
    sound = threading.Thread(target=render_sound, name="reelspec-farm-audio", daemon=True)
    try:
        sound.start()
        if client is None:
            with farm_client(scheduler, workers) as own:
                chunk_files = _render_chunks(own, portable, windows, suffix, work, on_progress)
        else:
            chunk_files = _render_chunks(client, portable, windows, suffix, work, on_progress)
        sound.join()
        if audio_errors:
            raise audio_errors[0]
        listing = work / "chunks.txt"
        listing.write_text("".join(f"file '{p.name}'\n" for p in chunk_files), encoding="utf-8")
        inputs = [Input(str(listing), ("-f", "concat", "-safe", "0"))]
        maps = ["0:v"]
        if audio_plan is not None:
            inputs.append(Input(str(audio_file)))
            maps.append("1:a")
        join = Plan(
            inputs=tuple(inputs),
            filter_graph=(),
            maps=tuple(maps),
            output_args=("-c", "copy", *container_args(resolved.output), *REPRODUCIBLE_COPY),
            output_path=str(target),
            duration=float(resolved.seconds),
            frame_count=resolved.frame_count,
            has_audio=audio_plan is not None,
        )
        result = render(
            join,
            target,
            spec_hash=resolved.spec_hash,
            extra_provenance={"farm": {"chunks": [list(w) for w in windows]}},
        )
        write_subtitles(resolved, result.output)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_chunks(
    client: Any,
    portable: Any,
    windows: list[tuple[int, int]],
    suffix: str,
    work: Path,
    on_progress: FarmCallback | None,
) -> list[Path]:
    distributed = require_dask()
    from engine.farm.worker import render_chunk

    blobs = {name: path.read_bytes() for name, path in portable.files.items()}
    # Shipped once each; Dask moves a blob to a worker only when a task there needs it.
    scattered = client.scatter(blobs, broadcast=False) if blobs else {}
    futures = {
        client.submit(
            render_chunk, portable.resolved, window, scattered, pure=False, retries=0
        ): index
        for index, window in enumerate(windows)
    }
    paths = [work / f"chunk-{index:04d}{suffix}" for index in range(len(windows))]
    frames_total = sum(f1 - f0 for f0, f1 in windows)
    done_frames = 0
    done = 0
    link = dashboard_link(client)
    if on_progress:
        on_progress(
            FarmProgress(
                0,
                len(windows),
                0,
                frames_total,
                len(client.scheduler_info().get("workers", {})),
                link,
            )
        )
    try:
        for future in distributed.as_completed(list(futures)):
            index = futures[future]
            try:
                chunk = future.result()
            except distributed.KilledWorker as exc:
                raise RenderError(
                    f"chunk {index} failed on every worker that tried it: {exc}"
                ) from None
            write_bytes_atomic(paths[index], chunk.data)
            done += 1
            done_frames += windows[index][1] - windows[index][0]
            if on_progress:
                workers = len(client.scheduler_info().get("workers", {}))
                on_progress(
                    FarmProgress(done, len(windows), done_frames, frames_total, workers, link)
                )
    finally:
        for future in futures:
            future.cancel()
    return paths
