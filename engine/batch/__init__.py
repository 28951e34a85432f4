"""Many videos from one Jinja2 template and a data file: read rows, render and validate every
row's spec up front, then render the videos in parallel with a manifest that lets a re-run
skip what is already up to date."""

from engine.batch.prepare import PreparedRow, prepare_batch
from engine.batch.rows import DataRow, read_rows
from engine.batch.runner import BatchResult, RowOutcome, run_batch

__all__ = [
    "BatchResult",
    "DataRow",
    "PreparedRow",
    "RowOutcome",
    "prepare_batch",
    "read_rows",
    "run_batch",
]
