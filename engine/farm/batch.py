"""A batch whose rows render as tasks on a Dask cluster (`reelspec farm batch`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.batch.prepare import PreparedRow
from engine.errors import RenderInterrupted
from engine.farm.package import make_portable
from engine.farm.render import farm_client, require_dask, task_result
from engine.farm.worker import clean_workers, new_job
from engine.pipeline import subtitle_sidecars
from engine.run.render import publish_made
from engine.run.supervise import Progress


class FarmRowRenderer:
    """Renders one batch row per task; files are shipped once per cluster (their names are
    content hashes, so rows sharing a picture share one upload). A row's video comes back as
    bytes and is put in place here with its manifest and sidecars, as a local row is."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jobs = max(1, sum(client.nthreads().values()))
        self.job = new_job()
        self._shipped: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._running: set[Any] = set()
        self._stopping = threading.Event()

    def _scatter(self, files: dict[str, Path]) -> dict[str, Any]:
        with self._lock:
            fresh = {
                name: path.read_bytes() for name, path in files.items() if name not in self._shipped
            }
            if fresh:
                self._shipped.update(self.client.scatter(fresh, broadcast=False))
            return {name: self._shipped[name] for name in files}

    def __call__(self, item: PreparedRow, on_progress: Callable[[Progress], None]) -> str:
        from engine.farm.worker import render_chunk

        assert item.loaded is not None and item.resolved is not None and item.output
        assert item.plan is not None
        if self._stopping.is_set():
            raise RenderInterrupted(f"stopped; {item.output} was not written")
        started = time.monotonic()
        portable = make_portable(item.resolved)
        future = self.client.submit(
            render_chunk,
            portable.resolved,
            None,
            self._scatter(portable.files),
            True,
            pure=False,
            retries=0,
            job=self.job,
        )
        with self._lock:
            self._running.add(future)
        try:
            chunk = task_result(require_dask(), future, f"row {item.row.number}", self._stopping)
        finally:
            with self._lock:
                self._running.discard(future)
        publish_made(
            chunk.data,
            item.output,
            item.plan,
            seconds=time.monotonic() - started,
            spec_hash=item.resolved.spec_hash,
            sidecars=subtitle_sidecars(item.resolved, item.output),
        )
        frames = item.plan.frame_count
        seconds = float(item.resolved.seconds)
        on_progress(Progress(frames, frames, seconds, seconds, None, done=True))
        return str(chunk.made_by)

    def stop(self) -> None:
        """Cancel the rows running on the cluster (a batch shutting down): each ends with
        RenderInterrupted and writes nothing."""
        self._stopping.set()
        with self._lock:
            running = list(self._running)
        for future in running:
            future.cancel()

    def close(self) -> None:
        clean_workers(self.client, self.job)


@contextmanager
def farm_batch_executor(scheduler: str | None, workers: int | None) -> Iterator[FarmRowRenderer]:
    with farm_client(scheduler, workers) as client:
        renderer = FarmRowRenderer(client)
        try:
            yield renderer
        finally:
            renderer.close()
