"""Progress, drawn one way for every command.

The core never prints: it reports through callbacks (``engine.run.render.Progress`` for a
render, ``(done, total)`` frames and ``RowOutcome`` for a batch, ``FarmProgress`` for the farm,
``TrainProgress`` for training). Each display here turns one kind of report into a status
line and, now and then, a permanent line (a finished row, a checkpoint, a link), and hands
both to one ``Board``:

- on a terminal, a live ``rich`` bar with the status beside it, permanent lines printed above
  it (started at the first status, so a command that never reports shows no empty bar);
- anywhere else (a file, a pipe, CI, tests), plain lines: every permanent line, and the status
  at most once every few seconds plus its final value. Those lines are what scripts and tests
  read, so their wording is fixed (``frame 10/10``, ``chunks 2/2  frames 35/35  workers 2``).

``rich`` is imported only when a terminal needs it: ``reelspec validate`` and piped runs
start without it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, TextIO, TypeVar

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as LiveBar
    from rich.progress import TaskID

    from engine.batch.runner import RowOutcome
    from engine.farm.render import FarmProgress
    from engine.gan.train import TrainProgress
    from engine.run.supervise import Progress

_Board = TypeVar("_Board", bound="Board")

#: Width of the bar on a terminal, in cells (the status text takes the rest of the line).
BAR_WIDTH = 24


def clock(seconds: float | None) -> str:
    """``mm:ss``; ``--:--`` when not known yet."""
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes:02d}:{secs:02d}"


def remaining(elapsed: float, fraction: float) -> float | None:
    """Seconds left at the rate so far; None until there is enough done (1 %) to tell."""
    return elapsed * (1 - fraction) / fraction if fraction > 0.01 else None


class Board:
    """Where a command's progress goes: see the module's docstring. Use it as a context
    manager so the live bar is stopped (and the cursor given back) however the command ends.

    ``label`` starts each status (before the bar on a terminal); ``every`` is the least time
    between two plain status lines; ``bar=False`` (``--quiet``) shows permanent lines only.
    Reports may come from several threads at once (a batch's rows): one lock orders them.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str = "",
        *,
        every: float = 5.0,
        bar: bool = True,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.every = every
        self.bar = bar
        self.tty = stream.isatty()
        self._now = now
        self.started = now()
        self._last_line: float | None = None
        self._closed = False
        self._lock = threading.RLock()
        self._console: Console | None = None
        self._live: LiveBar | None = None
        self._task: TaskID | None = None

    def __enter__(self: _Board) -> _Board:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def elapsed(self) -> float:
        return self._now() - self.started

    def close(self) -> None:
        """Stop the live bar, leaving its last state on screen. Later status reports (a
        thread finishing late) are dropped rather than starting a new bar."""
        with self._lock:
            self._closed = True
            if self._live is not None:
                self._live.stop()
                self._live = None

    def status(self, fraction: float, text: str, *, final: bool = False, line: bool = True) -> None:
        """The running status: the bar at ``fraction`` (0 to 1) with ``text`` beside it; as a
        plain line when ``final`` or ``every`` seconds after the previous one (never when
        ``line`` is False: the caller printed a permanent line saying as much)."""
        if not self.bar:
            return
        with self._lock:
            if self._closed:
                return
            if self.tty:
                completed = max(0.0, min(1.0, fraction))
                live, task = self._started(completed, text)
                live.update(task, completed=completed, text=text)
                if final:
                    live.refresh()  # the last state on screen, not one from before it
                return
            now = self._now()
            due = self._last_line is None or now - self._last_line >= self.every
            if line and (final or due):
                self._last_line = now
                self._write(f"{self.label} {text}" if self.label else text)

    def note(self, text: str, style: str = "") -> None:
        """A permanent line (more than one when ``text`` has newlines). ``style`` (a rich
        style, on a terminal only) colours its first line."""
        with self._lock:
            if not self.tty:
                self._write(text)
                return
            from rich.text import Text

            shown = Text(text)
            if style:
                shown.stylize(style, 0, len(text.split("\n", 1)[0]))
            # Printed through the live display when there is one, so it lands above the bar.
            console = self._live.console if self._live is not None else self._rich_console()
            console.print(shown, soft_wrap=True)

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _rich_console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            # The caller decided this is a terminal (stream.isatty()); rich must agree even
            # where its own guesses differ (TERM unset, a test's stand-in stream).
            self._console = Console(
                file=self.stream, force_terminal=True, highlight=False, markup=False, emoji=False
            )
        return self._console

    def _started(self, completed: float, text: str) -> tuple[LiveBar, TaskID]:
        """The live bar, started (showing ``completed`` and ``text``) on the first call."""
        if self._live is None or self._task is None:
            from rich.progress import BarColumn, TextColumn
            from rich.progress import Progress as LiveBar

            # Named colours: rich's own (RGB) fade to grey on a 16-colour terminal.
            bar = BarColumn(
                bar_width=BAR_WIDTH,
                style="bright_black",
                complete_style="cyan",
                finished_style="green",
            )
            # markup=False: a label is a file name, and "[" in it is no rich markup.
            columns = [bar, TextColumn("{task.fields[text]}", markup=False)]
            if self.label:
                columns.insert(0, TextColumn("{task.description}", markup=False))
            self._live = LiveBar(
                *columns,
                console=self._rich_console(),
                # Python's own warnings land above the bar; stdout is left alone, so that
                # what a command prints there never moves to stderr.
                redirect_stdout=False,
                redirect_stderr=True,
                refresh_per_second=4,
            )
            self._task = self._live.add_task(self.label, total=1.0, text=text)
            self._live.update(self._task, completed=completed)  # before its first drawing
            self._live.start()
        return self._live, self._task


class RenderDisplay(Board):
    """One render: ``LABEL  45.0%  frame 100/220  1.23x  ETA 00:12`` (a file of sound alone,
    which has no frames: ``sound 4.2/9.6s``)."""

    def __call__(self, progress: Progress) -> None:
        fraction = progress.fraction
        speed = f"{progress.speed:.2f}x" if progress.speed else "-"
        where = (
            f"frame {progress.frame}/{progress.total_frames}"
            if progress.total_frames
            else f"sound {progress.seconds:.1f}/{progress.total_seconds:.1f}s"
        )
        self.status(
            fraction,
            f"{fraction * 100:5.1f}%  {where}  "
            f"{speed}  ETA {clock(remaining(self.elapsed, fraction))}",
            final=progress.done,
        )


class BatchDisplay(Board):
    """A batch: one bar for the frames of all rows (with how many of ``rows`` have finished),
    and a line per finished row (a failed or invalid one with its message, indented below)."""

    #: How a row's first line is coloured on a terminal, by its status.
    STYLES: ClassVar[dict[str, str]] = {
        "rendered": "green",
        "skipped": "dim",
        "invalid": "red",
        "failed": "red",
    }

    def __init__(
        self,
        stream: TextIO,
        *,
        rows: int = 0,
        bar: bool = True,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(stream, "batch", bar=bar, now=now)
        self.rows = rows
        self.finished = 0

    def progress(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        rows = f"rows {self.finished}/{self.rows}  " if self.rows else ""
        self.status(
            fraction,
            f"{fraction * 100:5.1f}%  {rows}frames {done}/{total}  "
            f"ETA {clock(remaining(self.elapsed, fraction))}",
        )

    def row(self, outcome: RowOutcome) -> None:
        with self._lock:
            self.finished += 1
        head = f"row {outcome.number} (id {outcome.id}): {outcome.status}"
        if outcome.status in ("rendered", "skipped"):
            line = f"{head} → {outcome.output}" + (
                f" in {outcome.seconds:.1f}s" if outcome.status == "rendered" else ""
            )
        else:
            line = f"{head}\n    " + (outcome.error or "").replace("\n", "\n    ")
        self.note(line, self.STYLES.get(outcome.status, "yellow"))


class FarmDisplay(Board):
    """A farm render: the dashboard's address once (even with ``--quiet``: it is how to watch
    the cluster), then ``chunks 1/4  frames 20/80  workers 2  3.1s  ETA 00:09`` at every
    finished chunk."""

    def __init__(
        self, stream: TextIO, *, bar: bool = True, now: Callable[[], float] = time.monotonic
    ) -> None:
        # Chunks finish seldom, and each one is news: every report is a line.
        super().__init__(stream, every=0.0, bar=bar, now=now)
        self._dashboard_shown = False

    def __call__(self, progress: FarmProgress) -> None:
        if progress.dashboard and not self._dashboard_shown:
            self._dashboard_shown = True
            self.note(f"dask dashboard: {progress.dashboard}")
        total = progress.frames_total
        fraction = progress.frames_done / total if total else 0.0
        elapsed = self.elapsed
        self.status(
            fraction,
            f"chunks {progress.chunks_done}/{progress.chunks_total}  frames "
            f"{progress.frames_done}/{progress.frames_total}  workers {progress.workers}  "
            f"{elapsed:.1f}s  ETA {clock(remaining(elapsed, fraction))}",
        )


class TrainDisplay(Board):
    """Training: ``step 120/5000  D 1.234  G 0.987  3.21 steps/s  ETA 25.3 min``, and a
    permanent line at each checkpoint."""

    def __init__(self, stream: TextIO, *, now: Callable[[], float] = time.monotonic) -> None:
        # Steps are many and uniform: a plain line every ten seconds is enough in a log.
        super().__init__(stream, every=10.0, now=now)

    def __call__(self, p: TrainProgress) -> None:
        rate = p.steps_per_second
        eta = (p.steps - p.step) / rate if rate > 0 else 0.0
        text = (
            f"step {p.step}/{p.steps}  D {p.d_loss:.3f}  G {p.g_loss:.3f}  "
            f"{rate:.2f} steps/s  ETA {eta / 60:.1f} min"
        )
        if p.checkpoint:
            self.note(f"{text}  checkpoint {p.checkpoint}")
        fraction = p.step / p.steps if p.steps else 1.0
        self.status(fraction, text, final=p.step == p.steps, line=not p.checkpoint)
