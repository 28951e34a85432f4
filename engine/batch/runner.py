"""Rendering prepared rows in parallel, isolating failures, and keeping the batch manifest.

The manifest (JSON) records per row: the inputs hash, output path, status, error, render
seconds and the output's SHA-256. A row is skipped on a later run when its inputs hash and
the engine version are unchanged and the file is still there with the recorded hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine import __version__
from engine.batch.prepare import PreparedRow
from engine.errors import ReelspecError
from engine.run.files import write_json_atomic
from engine.run.render import Progress, render

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class RowOutcome:
    number: int
    id: str
    status: str  # "rendered", "skipped", "invalid" or "failed"
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
        return [o for o in self.outcomes if o.status in ("invalid", "failed")]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


#: Makes ``item.output`` for one valid row, reporting progress, and says which process made
#: it (``host:pid``); raises ReelspecError on failure. The default renders here; the farm
#: sends the row to a Dask cluster.
RowRenderer = Callable[[PreparedRow, Callable[[Progress], None]], str]


def render_locally(item: PreparedRow, on_progress: Callable[[Progress], None]) -> str:
    assert item.plan is not None and item.output is not None and item.resolved is not None
    render(item.plan, item.output, on_progress=on_progress, spec_hash=item.resolved.spec_hash)
    return f"{socket.gethostname()}:{os.getpid()}"


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
    previous = load_manifest(manifest_path)
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

    renderer = render_row or render_locally

    def render_one(item: PreparedRow) -> RowOutcome:
        assert item.output is not None
        started = time.monotonic()
        try:
            made_by = renderer(item, progress_of(item.row.number))
        except ReelspecError as exc:
            return RowOutcome(
                item.row.number,
                item.row.id,
                "failed",
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
            file_sha256(item.output),
            seconds=round(time.monotonic() - started, 3),
            rendered_by=made_by,
        )

    workers = max(1, min(jobs or getattr(renderer, "jobs", None) or default_jobs(), len(todo) or 1))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reelspec-row")
    try:
        futures = {executor.submit(render_one, item): item for item in todo}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.number] = outcome
            if on_row:
                on_row(outcome)
    finally:
        # On Ctrl-C the ffmpeg children got the signal too; rows not started are dropped,
        # and the manifest still records every row that finished.
        executor.shutdown(wait=True, cancel_futures=True)
        _write_manifest(manifest_path, sorted(outcomes.values(), key=lambda o: o.number))
    ordered = sorted(outcomes.values(), key=lambda o: o.number)
    return BatchResult(ordered, manifest_path)


def _write_manifest(path: Path, outcomes: list[RowOutcome]) -> None:
    rows = [{**asdict(o), "engine_version": __version__} for o in outcomes]
    write_json_atomic(
        path, {"manifest_version": MANIFEST_VERSION, "engine_version": __version__, "rows": rows}
    )
