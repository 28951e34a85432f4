"""Rendering one spec on a Dask cluster: chunks on workers, sound once here, joined without
re-encoding, written atomically."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.codecs import VIDEO_CODECS
from engine.compile.compiler import compile_audio_plan, compile_join_plan, compile_plan
from engine.errors import (
    ConfigError,
    RenderError,
    RenderInterrupted,
    SpecError,
    SpecIssue,
    UserError,
)
from engine.farm.chunks import plan_chunks
from engine.farm.package import make_portable
from engine.farm.worker import clean_workers, new_job
from engine.paths import target_problem
from engine.pipeline import Prepared, output_target, prepare, subtitle_sidecars
from engine.publish import write_bytes_atomic
from engine.run.render import RenderResult, manifest_path, render, write_error


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


#: How long to wait for a scheduler to answer, and for it to have a worker.
DEFAULT_SCHEDULER_TIMEOUT = 10.0
#: Local cluster workers at most (each is a process).
MAX_WORKERS = 256


def scheduler_timeout() -> float:
    """REELSPEC_SCHEDULER_TIMEOUT seconds (default 10); a ConfigError when it is no number."""
    from engine.env import env_limit

    return env_limit(
        "REELSPEC_SCHEDULER_TIMEOUT", DEFAULT_SCHEDULER_TIMEOUT, integer=False, minimum=0.1
    )


def _connect(distributed: Any, scheduler: str) -> Any:
    """A client of the scheduler at ``scheduler`` that has at least one worker, or a
    ConfigError within the timeout: an address nobody answers at, one that is not a Dask
    scheduler (a web server's reply is read as a frame of exabytes), a malformed address."""
    seconds = scheduler_timeout()
    hint = f"(waited {seconds:g}s; REELSPEC_SCHEDULER_TIMEOUT sets how long)"
    try:
        client = distributed.Client(scheduler, timeout=f"{seconds}s")
    except Exception as exc:  # whatever the remote end did, it is no scheduler we can use
        raise ConfigError(
            f"cannot connect to the Dask scheduler at {scheduler[:200]!r} {hint}: "
            f"{type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    try:
        client.wait_for_workers(1, timeout=seconds)
    except Exception:
        client.close()
        raise ConfigError(
            f"the Dask scheduler at {scheduler[:200]!r} has no workers {hint}"
        ) from None
    return client


@contextmanager
def farm_client(
    scheduler: str | None, workers: int | None = None, threads_per_worker: int = 1
) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a LocalCluster on this machine that
    listens on loopback only."""
    distributed = require_dask()
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"--workers must be from 1 to {MAX_WORKERS}, got {workers}")
    if scheduler:
        with _connect(distributed, scheduler) as client:
            yield client
        return
    import os

    count = workers or max(1, min(MAX_WORKERS, os.cpu_count() or 1))
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
    # Long on purpose: the client's whole job reads top to bottom — check, resolve once, cut
    # into chunks, render them on the cluster, join, add the sound, publish — and the scratch
    # folder and cluster it holds are released by the one try/finally around it.
    _check_chunking(chunk_seconds, chunks)
    prepared = prepare(spec_path)
    resolved = prepared.resolved
    if resolved.output.audio_only:
        return _sound_alone(prepared, output)
    codec = resolved.output.video.codec
    if not VIDEO_CODECS[codec].joinable:
        raise SpecError(
            [
                SpecIssue(
                    f"the farm joins chunks without re-encoding, which {codec.upper()} cannot do; "
                    f"render it with `reelspec render`",
                    "output.video.codec",
                )
            ]
        )
    windows = plan_chunks(resolved, chunk_seconds=chunk_seconds, chunks=chunks)
    portable = make_portable(resolved)
    target = output_target(prepared, output)
    sidecars = subtitle_sidecars(resolved, target)
    # Checked before the cluster works on it: only regular files are replaced.
    for path in (target, manifest_path(target), *sidecars):
        problem = target_problem(path)
        if problem:
            raise UserError(f"cannot write the output: {problem}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.farm-", dir=target.parent))
    except OSError as exc:
        raise write_error(exc, target) from None
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
        sound_file = str(audio_file) if audio_plan is not None else None
        join = compile_join_plan(resolved, str(listing), sound_file, str(target))
        return render(
            join,
            target,
            spec_hash=resolved.spec_hash,
            extra_provenance={"farm": {"chunks": [list(w) for w in windows]}},
            sidecars=sidecars,
        )
    except OSError as exc:  # the client's own files: the chunk list, chunks on a full disk
        raise write_error(exc, target) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sound_alone(prepared: Prepared, output: str | Path | None) -> RenderResult:
    """A file of sound alone has no frames to share out, and its mix is one quick ffmpeg run:
    it renders once, here, as ``reelspec render`` renders it (no cluster is started)."""
    resolved = prepared.resolved
    target = output_target(prepared, output)
    return render(
        compile_plan(resolved),
        target,
        spec_hash=resolved.spec_hash,
        extra_provenance={"farm": {"chunks": []}},
        sidecars=subtitle_sidecars(resolved, target),
    )


def _check_chunking(chunk_seconds: float | None, chunks: int | None) -> None:
    """Chunk sizes as the spec's numbers are checked: finite and positive."""
    import math

    if chunks is not None and (isinstance(chunks, bool) or chunks < 1):
        raise UserError(f"--chunks must be a whole number of at least 1, got {chunks}")
    if chunk_seconds is not None and not (math.isfinite(chunk_seconds) and chunk_seconds > 0):
        raise UserError(f"--chunk-seconds must be a finite number above 0, got {chunk_seconds}")


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
    job = new_job()
    futures = {
        client.submit(
            render_chunk, portable.resolved, window, scattered, pure=False, retries=0, job=job
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
            chunk = task_result(distributed, future, f"chunk {index}")
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
        clean_workers(client, job)
    return paths


def task_result(
    distributed: Any, future: Any, what: str, stopping: threading.Event | None = None
) -> Any:
    """A task's result; a worker that died on every try, or a cluster that went away, as a
    RenderError (the task's own ReelspecError comes back as itself)."""
    try:
        return future.result()
    except distributed.KilledWorker as exc:
        raise RenderError(f"{what} failed on every worker that tried it: {exc}") from None
    except (OSError, TimeoutError, CancelledError) as exc:
        if isinstance(exc, CancelledError) and stopping is not None and stopping.is_set():
            raise RenderInterrupted(f"{what} was stopped") from None
        raise RenderError(
            f"lost the cluster while {what} rendered: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
