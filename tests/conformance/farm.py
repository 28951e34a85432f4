"""Farm renders in a helper process, so a render that never returns (a hang in the farm's
own code, not only in ffmpeg) becomes a reported violation instead of a stuck suite.

The helper holds one ``distributed.Client`` of the session's cluster and calls
``engine.farm.render.farm_render`` for each job; a job that outlasts its time limit kills the
helper, and the next job starts a new one.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path

#: Seconds a farm render of one of these tiny specs may take (they take about one).
FARM_SECONDS = 15


def _serve(address: str, conn: Connection) -> None:
    import distributed

    from engine.farm.render import farm_render

    with distributed.Client(address, timeout="30s") as client:
        while (job := conn.recv()) is not None:
            spec, target, chunks = job
            try:
                farm_render(spec, target, chunks=chunks, client=client)
                conn.send(None)
            except Exception as exc:  # reported by the caller as a violation
                conn.send(f"{type(exc).__name__}: {exc}")


class FarmRunner:
    def __init__(self, address: str) -> None:
        self.address = address
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._conn is None:
            ours, theirs = multiprocessing.Pipe()
            context = multiprocessing.get_context("spawn")
            self._process = context.Process(target=_serve, args=(self.address, theirs))
            self._process.start()
            self._conn = ours
        return self._conn

    def render(self, spec: Path, target: Path, chunks: int) -> str | None:
        """None when the farm rendered ``target``; else what went wrong."""
        conn = self._start()
        conn.send((str(spec), str(target), chunks))
        if conn.poll(FARM_SECONDS):
            return conn.recv()  # type: ignore[no-any-return]
        self.close(kill=True)
        return f"did not finish in {FARM_SECONDS} s (killed)"

    def close(self, *, kill: bool = False) -> None:
        if self._conn is not None and self._process is not None:
            if kill:
                self._process.kill()
            else:
                self._conn.send(None)
            self._process.join(10)
        self._conn = self._process = None
