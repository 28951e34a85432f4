"""Rendering prepared rows in parallel, isolating failures, and keeping the batch manifest.

The manifest (JSON) records per row: the inputs hash, output path, status, error, render
seconds and the output's SHA-256. A row is skipped on a later run when its inputs hash and
the engine version are unchanged and the file is still there with the recorded hash.

Stopping: on Ctrl-C or SIGTERM (the CLI turns both into KeyboardInterrupt) the rows not
started are dropped, the running renders are stopped (``RowRenderer.stop``) and end as
"interrupted", and the manifest is written with every row that finished, also those that
finished while the batch shut down; further signals wait until it is written. A rerun then
renders only what is missing. Rows of the previous manifest that this run did not touch
(``--only``) are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine import __version__
from engine.batch.prepare import PreparedRow
from engine.errors import ReelspecError, RenderInterrupted
from engine.publish import write_json_atomic
from engine.run.render import render, write_error
from engine.run.supervise import Progress

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class RowOutcome:
    number: int
    id: str
    status: str  # "rendered", "skipped", "invalid", "failed" or "interrupted"
    output: str | None = None
    inputs_hash: str | None = None
    output_hash: str | None = None
    error: str | None = None
    seconds: float = 0.0
    #: ``host:pid`` of the process that rendered the row (a farm worker, or this process).
    rendered_by: str | None = None


@dataclass(frozen=True)
class BatchResult:
    outcomes: list[RowOutcome]
    manifest: Path

    @property
    def failed(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status in ("invalid", "failed", "interrupted")]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


#: Makes ``item.output`` for one valid row (with its manifest and subtitle sidecars),
#: reporting progress, and says which process made it (``host:pid``); raises ReelspecError
#: on failure. The default renders here; the farm sends the row to a Dask cluster. A
#: renderer with a ``stop()`` method has it called when the batch is interrupted, and its
#: running rows should then end with RenderInterrupted.
RowRenderer = Callable[[PreparedRow, Callable[[Progress], None]], str]


class LocalRowRenderer:
    """Renders rows in this process; ``stop`` stops every ffmpeg it runs."""

    def __init__(self) -> None:
        self.cancel = threading.Event()

    def __call__(self, item: PreparedRow, on_progress: Callable[[Progress], None]) -> str:
        from engine.gan.sources import MODEL_FRAMES
        from engine.pipeline import subtitle_sidecars

        assert item.plan is not None and item.output is not None and item.resolved is not None
        render(
            item.plan,
            item.output,
            on_progress=on_progress,
            spec_hash=item.resolved.spec_hash,
            sidecars=subtitle_sidecars(item.resolved, item.output),
            cancel=self.cancel,
            frames=MODEL_FRAMES,
        )
        return f"{socket.gethostname()}:{os.getpid()}"

    def stop(self) -> None:
        self.cancel.set()


#: Called with (frames done in the whole batch, frames in the whole batch).
BatchProgress = Callable[[int, int], None]
RowDone = Callable[[RowOutcome], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_jobs() -> int:
    """One render per core: each ffmpeg is then mostly single-threaded work on its own core,
    which uses a machine better than a few wide encodes for the short videos of a batch."""
    return max(1, os.cpu_count() or 1)


def load_manifest(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    if data.get("manifest_version") != MANIFEST_VERSION:
        return {}
    return {str(row["id"]): row for row in data.get("rows", [])}


def _up_to_date(item: PreparedRow, previous: dict[str, Any] | None) -> str | None:
    """The recorded output hash when the row need not render again."""
    if (
        previous is None
        or item.output is None
        or previous.get("status") not in ("rendered", "skipped")
    ):
        return None
    if (
        previous.get("inputs_hash") != item.inputs_hash
        or previous.get("engine_version") != __version__
        or previous.get("output") != str(item.output)
    ):
        return None
    if not item.output.is_file() or file_sha256(item.output) != previous.get("output_hash"):
        return None
    return str(previous["output_hash"])


def _sorted_rows(
    prepared: list[PreparedRow], previous: dict[str, dict[str, Any]], force: bool
) -> tuple[dict[int, RowOutcome], list[PreparedRow]]:
    """The outcomes known before rendering (invalid rows, rows whose output is up to date)
    and the rows to render."""
    outcomes: dict[int, RowOutcome] = {}
    todo: list[PreparedRow] = []
    for item in prepared:
        if not item.valid:
            outcomes[item.row.number] = RowOutcome(
                item.row.number, item.row.id, "invalid", error=item.error
            )
            continue
        recorded = None if force else _up_to_date(item, previous.get(item.row.id))
        if recorded is not None:
            outcomes[item.row.number] = RowOutcome(
                item.row.number,
                item.row.id,
                "skipped",
                str(item.output),
                item.inputs_hash,
                recorded,
            )
        else:
            todo.append(item)
    return outcomes, todo


def run_batch(
    prepared: list[PreparedRow],
    manifest_path: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    on_progress: BatchProgress | None = None,
    on_row: RowDone | None = None,
    render_row: RowRenderer | None = None,
) -> BatchResult:
    # Long on purpose: the row renders, the progress sum, the stop flag and the
    # manifest written in ``finally`` share state under one lock, and every path out of the
    # pool (done, failed row, Ctrl-C, SIGTERM) must pass the same manifest write.
    previous = load_manifest(manifest_path)
    outcomes, todo = _sorted_rows(prepared, previous, force)
    for outcome in sorted(outcomes.values(), key=lambda o: o.number):
        if on_row:
            on_row(outcome)

    total_frames = sum(item.plan.frame_count for item in todo if item.plan)
    done_frames: dict[int, int] = {}
    lock = threading.Lock()

    def progress_of(number: int) -> Callable[[Progress], None]:
        def report(progress: Progress) -> None:
            with lock:
                done_frames[number] = progress.frame
                done = sum(done_frames.values())
            if on_progress:
                on_progress(done, total_frames)

        return report

    renderer = render_row or LocalRowRenderer()
    stopping = threading.Event()

    def render_one(item: PreparedRow) -> RowOutcome:
        assert item.output is not None
        started = time.monotonic()
        try:
            made_by = renderer(item, progress_of(item.row.number))
            digest = file_sha256(item.output)
        except (ReelspecError, OSError) as exc:
            if isinstance(exc, OSError):
                exc = write_error(exc, item.output)
            interrupted = isinstance(exc, RenderInterrupted) or stopping.is_set()
            return RowOutcome(
                item.row.number,
                item.row.id,
                "interrupted" if interrupted else "failed",
                str(item.output),
                item.inputs_hash,
                error=str(exc),
                seconds=round(time.monotonic() - started, 3),
            )
        return RowOutcome(
            item.row.number,
            item.row.id,
            "rendered",
            str(item.output),
            item.inputs_hash,
            digest,
            seconds=round(time.monotonic() - started, 3),
            rendered_by=made_by,
        )

    def record(outcome: RowOutcome) -> None:
        if outcome.number in outcomes and outcomes[outcome.number] == outcome:
            return
        outcomes[outcome.number] = outcome
        if on_row:
            on_row(outcome)

    workers = max(1, min(jobs or getattr(renderer, "jobs", None) or default_jobs(), len(todo) or 1))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reelspec-row")
    futures: dict[Future[RowOutcome], PreparedRow] = {}
    try:
        for item in todo:
            futures[executor.submit(render_one, item)] = item
        for future in as_completed(futures):
            record(future.result())
    except BaseException:
        # Ctrl-C or SIGTERM (or a bug): stop what runs, so the shutdown below is quick.
        stopping.set()
        stop = getattr(renderer, "stop", None)
        if stop is not None:
            stop()
        raise
    finally:
        with _signals_held():
            executor.shutdown(wait=True, cancel_futures=True)
            # Rows that finished while the loop above was left, or while shutting down.
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is None:
                    outcome = future.result()
                    if outcome.number not in outcomes:
                        record(outcome)
            _write_manifest(
                manifest_path,
                sorted(outcomes.values(), key=lambda o: o.number),
                _untouched(previous, prepared),
            )
    ordered = sorted(outcomes.values(), key=lambda o: o.number)
    return BatchResult(ordered, manifest_path)


def _untouched(
    previous: dict[str, dict[str, Any]], prepared: list[PreparedRow]
) -> list[dict[str, Any]]:
    """Rows of the previous manifest this run did not prepare (left out with ``--only``)."""
    ids = {item.row.id for item in prepared}
    return [row for key, row in previous.items() if key not in ids]


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the batch writes down what it did: a second Ctrl-C (or a
    supervisor's repeated SIGTERM) must not lose the manifest. A signal that came is raised
    as KeyboardInterrupt once the block is done. Only the main thread can set handlers;
    elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in before:
        signal.signal(sig, hold)
    try:
        yield
    finally:
        for sig, handler in before.items():
            # (None: a handler set outside Python, which cannot be put back; the default.)
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    if received:
        raise KeyboardInterrupt


def _write_manifest(
    path: Path, outcomes: list[RowOutcome], kept: list[dict[str, Any]] | None = None
) -> None:
    rows = [*(kept or []), *({**asdict(o), "engine_version": __version__} for o in outcomes)]
    try:
        write_json_atomic(
            path,
            {"manifest_version": MANIFEST_VERSION, "engine_version": __version__, "rows": rows},
        )
    except OSError as exc:
        raise write_error(exc, path) from None
