"""ffmpeg run under watch: progress read from its ``-progress`` reports, a watchdog that
stops it when no frame or sound has come out for too long (or when a batch is cancelled), and
its failures turned into clear errors (a full disk, a refused input, a stall)."""

from __future__ import annotations

import collections
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from engine.compile.plan import Plan
from engine.errors import RenderError, RenderInterrupted, Stalled
from engine.proc.ffmpeg import start_ffmpeg

if TYPE_CHECKING:
    from engine.run.feeds import Feeders


@dataclass(frozen=True)
class Progress:
    frame: int
    total_frames: int
    seconds: float
    total_seconds: float
    speed: float | None
    done: bool = False

    @property
    def fraction(self) -> float:
        if self.total_frames:
            return min(1.0, self.frame / self.total_frames)
        return min(1.0, self.seconds / self.total_seconds) if self.total_seconds else 0.0


ProgressCallback = Callable[[Progress], None]


def _drain(stream: IO[str], sink: collections.deque[str]) -> None:
    for line in stream:
        sink.append(line.rstrip("\n"))


def run_ffmpeg(
    argv: list[str],
    plan: Plan,
    on_progress: ProgressCallback | None,
    feeders: Feeders | None = None,
    cancel: threading.Event | None = None,
    output: Path | None = None,
) -> None:
    """Run ffmpeg once, feeding its pipes and watching it; turn how it ended into an error."""
    # Long on purpose: ffmpeg, its feeders, the stderr drain and the watchdog are started and
    # stopped together, and which error to report depends on all of them (a model failure
    # beats a stall, which beats ffmpeg's own exit code).
    stderr_tail: collections.deque[str] = collections.deque(maxlen=200)
    run_argv, stdin, passed = feeders.open(argv) if feeders else (argv, None, ())
    try:
        process = start_ffmpeg(run_argv, stdin, passed)
    except OSError as exc:
        if feeders:
            feeders.stop()
        raise RenderError(f"cannot start ffmpeg: {exc}", argv) from None
    assert process.stdout is not None and process.stderr is not None
    if feeders:
        feeders.start(on_error=lambda: _stop(process))
    drainer = threading.Thread(target=_drain, args=(process.stderr, stderr_tail), daemon=True)
    drainer.start()
    watchdog = _Watchdog(process, stall_seconds(), cancel)
    try:
        _read_progress(process.stdout, plan, on_progress, watchdog.advanced)
        returncode = process.wait()
    except BaseException:
        _stop(process)
        raise
    finally:
        watchdog.stop()
        if feeders:
            feeders.stop()
        drainer.join(timeout=5)
    if watchdog.cancelled:
        raise RenderInterrupted(f"stopped; {output or 'the output'} was not written")
    if feeders:
        # A model that failed stopped ffmpeg; its error is the one to report.
        feeders.raise_error(argv)
    if watchdog.fired:
        raise Stalled(
            f"ffmpeg made no progress for {watchdog.seconds:g}s and was stopped "
            f"(REELSPEC_STALL_SECONDS sets this limit)",
            argv,
            "\n".join([ln for ln in stderr_tail if ln.strip()][-20:]),
        )
    if returncode != 0:
        relevant = [ln for ln in stderr_tail if ln.strip()][-20:]
        if any("No space left on device" in line for line in relevant):
            where = output.parent if output else "the output"
            raise RenderError(
                f"no space left on the device holding {where}; nothing was written",
                argv,
                "\n".join(relevant),
            )
        if any("not on whitelist" in line for line in relevant):
            raise RenderError(
                "an input is not a plain media file (a playlist, a concat script or a URL); "
                "reelspec reads files only",
                argv,
                "\n".join(line[:300] for line in relevant),
            )
        how = f" (killed by signal {-returncode})" if returncode < 0 else ""
        raise RenderError(
            f"ffmpeg failed with exit code {returncode}{how}", argv, "\n".join(relevant)
        )


#: How long ffmpeg may take to its first output, however short the stall limit is.
FIRST_OUTPUT_SECONDS = 60.0


def stall_seconds() -> float:
    """REELSPEC_STALL_SECONDS (default 20): a ConfigError naming it when it is no number."""
    from engine.env import env_limit

    return env_limit("REELSPEC_STALL_SECONDS", 20.0, integer=False, minimum=0.1)


def stall_retries() -> int:
    from engine.env import env_limit

    return int(env_limit("REELSPEC_STALL_RETRIES", 2, minimum=0))


class _Watchdog:
    """Stops ffmpeg when no new frame or sound has come out for ``seconds``.

    A render that hangs (a deadlock inside ffmpeg, an input that never arrives) must end in a
    clear error, not wait forever; ffmpeg keeps printing progress while stuck, so what counts
    is the output position moving."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        seconds: float,
        cancel: threading.Event | None = None,
    ) -> None:
        self.process = process
        self.seconds = seconds
        self.fired = False
        #: Set when ``cancel`` stopped ffmpeg (a batch shutting down), not a stall.
        self.cancelled = False
        self._cancel = cancel
        self._last = time.monotonic()
        # Opening every input and making the first frame of a large spec takes longer than
        # any later frame does, so the first wait is allowed to be longer.
        self._allowed = max(seconds, FIRST_OUTPUT_SECONDS)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="reelspec-watchdog", daemon=True)
        self._thread.start()

    def advanced(self) -> None:
        self._last = time.monotonic()
        self._allowed = self.seconds

    def _watch(self) -> None:
        while not self._done.wait(min(0.25, self.seconds / 4)):
            if self._cancel is not None and self._cancel.is_set():
                if self.process.poll() is None:
                    self.cancelled = True
                    _stop(self.process)
                return
            if time.monotonic() - self._last > self._allowed and self.process.poll() is None:
                self.fired = True
                _stop(self.process)
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _read_progress(
    stdout: IO[str],
    plan: Plan,
    on_progress: ProgressCallback | None,
    advanced: Callable[[], None],
) -> None:
    values: dict[str, str] = {}
    position = (0, 0)
    for line in stdout:
        key, _, value = line.strip().partition("=")
        if key != "progress":
            values[key] = value
            continue
        # Only output counts: ffmpeg reports "frame=0" (or N/A) while it is still opening
        # inputs and filling a deep graph, and taking that first report for progress gave a
        # busy machine the short stall limit before a single frame had come out.
        now = (_count(values.get("frame")), _count(values.get("out_time_us")))
        if now > position:
            position = now
            advanced()
        if on_progress is None:
            continue
        speed_text = values.get("speed", "").rstrip("x").strip()
        try:
            speed = float(speed_text) if speed_text and speed_text != "N/A" else None
        except ValueError:
            speed = None
        micros = values.get("out_time_us", "0")
        seconds = int(micros) / 1e6 if micros.lstrip("-").isdigit() else 0.0
        frame = values.get("frame", "0")
        on_progress(
            Progress(
                frame=int(frame) if frame.isdigit() else 0,
                total_frames=plan.frame_count,
                seconds=max(0.0, seconds),
                total_seconds=plan.duration,
                speed=speed,
                done=value == "end",
            )
        )
