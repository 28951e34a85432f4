"""Run a Plan: start ffmpeg, report progress, and put the result in place atomically.

The output is written to a temporary file beside the destination and renamed over it only
when ffmpeg succeeds; a failure or Ctrl-C removes the temporary and leaves the destination as
it was. A provenance manifest is written beside the output.
"""

from __future__ import annotations

import collections
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from engine import __version__
from engine.compile.plan import Plan
from engine.errors import RenderError, RenderInterrupted
from engine.run.ffmpeg import ffmpeg_binary, ffmpeg_version
from engine.run.files import publish, write_json_atomic

if TYPE_CHECKING:
    from engine.run.feeds import Feeders

#: Above this many characters the graph goes through a file: one argv string is capped by the
#: kernel at 128 KiB on Linux, and a long spec's graph can pass that.
GRAPH_IN_FILE_ABOVE = 60_000


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


@dataclass(frozen=True)
class RenderResult:
    output: Path
    manifest: Path | None
    argv: tuple[str, ...]
    seconds: float


ProgressCallback = Callable[[Progress], None]


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".reelspec.json")


def render(
    plan: Plan,
    output: Path,
    *,
    on_progress: ProgressCallback | None = None,
    spec_hash: str | None = None,
    write_manifest: bool = True,
    extra_provenance: dict[str, object] | None = None,
) -> RenderResult:
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{output.stem}.", suffix=f".part{output.suffix}", dir=output.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    graph_files: list[Path] = []
    started = time.monotonic()
    try:
        extra = ["-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats"]
        argv = plan.argv(ffmpeg_binary(), output=str(tmp), extra_global=tuple(extra))
        for at, arg in enumerate(argv):
            if arg == "-filter_complex" and len(argv[at + 1]) > GRAPH_IN_FILE_ABOVE:
                gfd, graph_name = tempfile.mkstemp(prefix=".reelspec-graph-", suffix=".txt")
                with os.fdopen(gfd, "w", encoding="utf-8") as handle:
                    handle.write(argv[at + 1])
                graph_files.append(Path(graph_name))
                argv[at : at + 2] = ["-/filter_complex", graph_name]
        feeders = None
        if plan.feeds:
            from engine.run.feeds import Feeders

            # Models are loaded and traced here, before ffmpeg starts.
            feeders = Feeders(plan.feeds)
        attempts = 1 + stall_retries()
        for attempt in range(1, attempts + 1):
            try:
                _run_ffmpeg(argv, plan, on_progress, feeders)
                break
            except Stalled:
                # A stall is ffmpeg's own scheduler deadlocking now and then (see
                # docs/decisions/0006); the same command normally runs through when started
                # again, so try again before giving up.
                if attempt == attempts:
                    raise
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise RenderError("ffmpeg finished but wrote nothing", argv)
        publish(tmp, output)
    except KeyboardInterrupt:
        raise RenderInterrupted(f"interrupted; {output} was not written") from None
    finally:
        tmp.unlink(missing_ok=True)
        for graph_file in graph_files:
            graph_file.unlink(missing_ok=True)
    elapsed = time.monotonic() - started
    shown = plan.argv(ffmpeg_binary(), output=str(output))
    manifest = None
    if write_manifest:
        manifest = manifest_path(output)
        data = {
            "output": output.name,
            "spec_hash": spec_hash,
            "reelspec_version": __version__,
            "ffmpeg": {"path": ffmpeg_binary(), "version": ffmpeg_version()},
            "command": shown,
            "duration": round(plan.duration, 6),
            "frame_count": plan.frame_count,
            "has_audio": plan.has_audio,
            "render_seconds": round(elapsed, 3),
            **_model_provenance(plan),
            **(extra_provenance or {}),
        }
        write_json_atomic(manifest, data)
    return RenderResult(output, manifest, tuple(shown), elapsed)


def _model_provenance(plan: Plan) -> dict[str, object]:
    """Which models made frames (with their SHA-256), from which seeds and motions, and the
    library versions that ran them."""
    if not plan.feeds:
        return {}
    import dataclasses

    from engine.gan.tf import require

    tf, keras = require()
    return {
        "model_feeds": [
            {"kind": type(feed).__name__, **dataclasses.asdict(feed)} for feed in plan.feeds
        ],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }


def _drain(stream: IO[str], sink: collections.deque[str]) -> None:
    for line in stream:
        sink.append(line.rstrip("\n"))


def _run_ffmpeg(
    argv: list[str],
    plan: Plan,
    on_progress: ProgressCallback | None,
    feeders: Feeders | None = None,
) -> None:
    stderr_tail: collections.deque[str] = collections.deque(maxlen=200)
    run_argv, stdin, passed = feeders.open(argv) if feeders else (argv, None, ())
    try:
        process = subprocess.Popen(
            run_argv,
            stdin=subprocess.DEVNULL if stdin is None else stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=passed,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as exc:
        if feeders:
            feeders.stop()
        raise RenderError(f"cannot start ffmpeg: {exc}", argv) from None
    assert process.stdout is not None and process.stderr is not None
    if feeders:
        feeders.start(on_error=lambda: _stop(process))
    drainer = threading.Thread(target=_drain, args=(process.stderr, stderr_tail), daemon=True)
    drainer.start()
    watchdog = _Watchdog(process, stall_seconds())
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
        raise RenderError(f"ffmpeg failed with exit code {returncode}", argv, "\n".join(relevant))


class Stalled(RenderError):
    """ffmpeg stopped producing output and was stopped (a RenderError, so callers need not
    know the difference)."""


#: How long ffmpeg may take to its first output, however short the stall limit is.
FIRST_OUTPUT_SECONDS = 60.0


def stall_seconds() -> float:
    return float(os.environ.get("REELSPEC_STALL_SECONDS", "20"))


def stall_retries() -> int:
    return int(os.environ.get("REELSPEC_STALL_RETRIES", "2"))


class _Watchdog:
    """Stops ffmpeg when no new frame or sound has come out for ``seconds``.

    A render that hangs (a deadlock inside ffmpeg, an input that never arrives) must end in a
    clear error, not wait forever; ffmpeg keeps printing progress while stuck, so what counts
    is the output position moving."""

    def __init__(self, process: subprocess.Popen[str], seconds: float) -> None:
        self.process = process
        self.seconds = seconds
        self.fired = False
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
        while not self._done.wait(min(1.0, self.seconds / 4)):
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


def _read_progress(
    stdout: IO[str],
    plan: Plan,
    on_progress: ProgressCallback | None,
    advanced: Callable[[], None],
) -> None:
    values: dict[str, str] = {}
    position = ("", "")
    for line in stdout:
        key, _, value = line.strip().partition("=")
        if key != "progress":
            values[key] = value
            continue
        now = (values.get("frame", ""), values.get("out_time_us", ""))
        if now != position:
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
