"""What a farm worker runs: the engine's own compiler and runner, with the resolved spec and
its files as data.

Nothing here is a closure or user code: a worker receives the resolved spec the client made
(file names relative to its own folder), a window of frames, and file bytes; it compiles and
renders with the same engine as a local render, and returns the encoded chunk as bytes (the
client writes every file itself, so a late result from a lost worker can never touch the
output).

Scratch space: a task works in ``<scratch>/reelspec-jobs/<job>/<task folder>``, where
``<scratch>`` holds the worker's own local directory (Dask's ``dask-scratch-space``), shared by
the workers of one machine. A task removes its folder when it ends; when the whole job ends
the client runs ``remove_job`` on every worker (``clean_workers``), which also removes what a
killed worker left on that machine.

Dask cannot stop a task that is already running when its future is cancelled, so a failed
job's other chunks would go on rendering (and writing scratch) after the client gave up. Each
chunk therefore registers a cancel event under its job in the worker process; ``remove_job``
sets them, waits for those chunks to stop (ffmpeg is killed, their folders removed), and only
then removes the job's folder, so nothing of the job runs or remains once the client returns.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.compile.compiler import compile_plan
from engine.farm.package import settle
from engine.gan.sources import MODEL_FRAMES
from engine.resolved import ResolvedSpec
from engine.run.render import render

_JOB = re.compile(r"^[0-9a-f]{32}$")
#: How long ``remove_job`` waits for the job's running chunks to stop.
STOP_WAIT_SECONDS = 20.0
#: Jobs ended on this worker, remembered so a chunk that starts after its job's end stops at
#: once; bounded, as a worker may serve many jobs over its life.
_ENDED_KEPT = 1024


class _Jobs:
    """The chunks running in this worker process, by job, and the jobs already ended."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running: dict[str, set[threading.Event]] = {}
        self._ended: dict[str, None] = {}

    def start(self, job: str) -> threading.Event:
        cancel = threading.Event()
        with self._changed:
            if job in self._ended:
                cancel.set()
            self._running.setdefault(job, set()).add(cancel)
        return cancel

    def finish(self, job: str, cancel: threading.Event) -> None:
        with self._changed:
            running = self._running.get(job, set())
            running.discard(cancel)
            if not running:
                self._running.pop(job, None)
            self._changed.notify_all()

    def end(self, job: str, timeout: float) -> None:
        """Cancel ``job``'s running chunks and wait (at most ``timeout``) until they stop."""
        with self._changed:
            self._ended[job] = None
            while len(self._ended) > _ENDED_KEPT:
                del self._ended[next(iter(self._ended))]
            for cancel in self._running.get(job, ()):
                cancel.set()
            self._changed.wait_for(lambda: job not in self._running, timeout)


_JOBS = _Jobs()


@dataclass(frozen=True)
class Chunk:
    """An encoded file and the worker process that made it."""

    data: bytes
    #: ``host:pid`` of the process that rendered it.
    made_by: str


def new_job() -> str:
    """A job's name: the folder its tasks work in on every worker."""
    return uuid.uuid4().hex


def scratch_root(worker: Any = None) -> Path:
    """Where reelspec's tasks work on this machine: beside the Dask worker's own local
    directory (in its parent, so every worker of the machine finds the same folder)."""
    if worker is None:
        try:
            from distributed import get_worker

            worker = get_worker()
        except (ImportError, ValueError):
            worker = None
    local = getattr(worker, "local_directory", None)
    base = Path(local).parent if local else Path(tempfile.gettempdir())
    return base / "reelspec-jobs"


def remove_job(job: str, dask_worker: Any = None) -> bool:
    """Remove a job's scratch folder on this machine (run on every worker by the client;
    ``dask_worker`` is filled in by Dask's ``Client.run``). True when there was one."""
    if not _JOB.match(job):  # only ever a folder this module named
        return False
    folder = scratch_root(dask_worker) / job
    existed = folder.exists()
    _JOBS.end(job, STOP_WAIT_SECONDS)
    shutil.rmtree(folder, ignore_errors=True)
    return existed


def clean_workers(client: Any, job: str, timeout: float = 30.0) -> None:
    """Remove ``job``'s scratch on every worker; a worker that does not answer (it died, the
    cluster went away) is skipped, and the client waits at most ``timeout`` seconds, as the
    job's own outcome is what the user needs to see."""

    def run() -> None:
        with contextlib.suppress(Exception):
            client.run(remove_job, job, on_error="ignore")

    thread = threading.Thread(target=run, name="reelspec-farm-cleanup", daemon=True)
    thread.start()
    thread.join(timeout)


def render_chunk(
    portable: ResolvedSpec,
    window: tuple[int, int] | None,
    blobs: dict[str, bytes],
    audio: bool = False,
    job: str | None = None,
) -> Chunk:
    """Render frames [f0, f1) (or the whole video, with sound, when ``window`` is None)."""
    in_job = bool(job and _JOB.match(job))
    base = scratch_root() / str(job) if in_job else Path(tempfile.gettempdir())
    cancel = _JOBS.start(str(job)) if in_job else None
    try:
        return _render_in(base, portable, window, blobs, audio, cancel)
    finally:
        if in_job and cancel is not None:
            _JOBS.finish(str(job), cancel)
            # The job's folder goes with its last chunk on this machine: rmdir only removes
            # it when empty (another worker process may still use it).
            with contextlib.suppress(OSError):
                base.rmdir()


def _render_in(
    base: Path,
    portable: ResolvedSpec,
    window: tuple[int, int] | None,
    blobs: dict[str, bytes],
    audio: bool,
    cancel: threading.Event | None,
) -> Chunk:
    root = _chunk_folder(base)
    try:
        for name, data in blobs.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        resolved = settle(portable, root)
        plan = compile_plan(resolved, window, audio=audio)
        render(plan, resolved.output_path, write_manifest=False, frames=MODEL_FRAMES, cancel=cancel)
        return Chunk(resolved.output_path.read_bytes(), f"{socket.gethostname()}:{os.getpid()}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _chunk_folder(base: Path) -> Path:
    """A fresh folder for one chunk inside ``base``, made even if another chunk's cleanup
    removes an empty ``base`` at the same moment."""
    for _ in range(3):
        base.mkdir(parents=True, exist_ok=True)
        try:
            return Path(tempfile.mkdtemp(prefix="reelspec-chunk-", dir=base))
        except FileNotFoundError:
            continue
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="reelspec-chunk-", dir=base))
