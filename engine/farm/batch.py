"""A batch whose rows render as tasks on a Dask cluster (`reelspec farm batch`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.batch.prepare import PreparedRow
from engine.farm.package import make_portable
from engine.farm.render import farm_client
from engine.run.files import write_bytes_atomic
from engine.run.render import Progress


class FarmRowRenderer:
    """Renders one batch row per task; files are shipped once per cluster (their names are
    content hashes, so rows sharing a picture share one upload)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jobs = max(1, sum(client.nthreads().values()))
        self._shipped: dict[str, Any] = {}
        self._lock = threading.Lock()

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
        portable = make_portable(item.resolved)
        future = self.client.submit(
            render_chunk,
            portable.resolved,
            None,
            self._scatter(portable.files),
            True,
            pure=False,
            retries=0,
        )
        chunk = future.result()
        write_bytes_atomic(item.output, chunk.data)
        frames = item.plan.frame_count if item.plan else 0
        seconds = float(item.resolved.seconds)
        on_progress(Progress(frames, frames, seconds, seconds, None, done=True))
        return chunk.made_by


@contextmanager
def farm_batch_executor(scheduler: str | None, workers: int | None) -> Iterator[FarmRowRenderer]:
    with farm_client(scheduler, workers) as client:
        yield FarmRowRenderer(client)
