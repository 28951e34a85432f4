"""Feeder threads: model-made frames written into ffmpeg's pipe inputs while it encodes.

The runner does not know what makes the frames: it is handed :class:`FrameSources` (the
models, wired in by engine.pipeline), asks them for a source per feed, and writes.

For each feed a producer thread runs the model batch by batch into a short queue and a writer
thread empties the queue into the pipe, so inference of the next batch overlaps both the write
and ffmpeg's encoding. Models are loaded and traced when the :class:`Feeders` are made, before
ffmpeg starts, so a broken model fails early. A producer that fails mid-stream records the
error and stops ffmpeg through ``on_error``; the render then fails with a :class:`FeedError`
and the output is never published.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from engine.errors import FeedError, ReelspecError
from engine.feeds import Feed, FrameModelFeed
from engine.proc.ffmpeg import ffmpeg_binary, guard_inputs
from engine.proc.frames import FrameReader

#: Pipe buffers are raised to this size (Linux): a few frames of slack either way.
PIPE_BYTES = 1 << 20
_DONE = object()


class FrameSource(Protocol):
    """Makes one feed's frames, batch by batch, as rgb24 bytes. A frame model's source is
    given the clip's decoded frames; a generator's is given nothing."""

    def batches(self, decoded: Iterable[Any] | None = None) -> Iterator[bytes]: ...


class FrameSources(Protocol):
    """What makes the frames of a plan's feeds, and what to record of it in a manifest."""

    def source(self, feed: Feed) -> FrameSource: ...

    def versions(self) -> dict[str, object]: ...


class Feeders:
    def __init__(self, feeds: tuple[Feed, ...], frames: FrameSources) -> None:
        self.feeds = feeds
        # Models are loaded (and traced) here, before ffmpeg starts: a broken one fails early.
        self.sources: list[FrameSource] = [frames.source(feed) for feed in feeds]
        self.error: BaseException | None = None
        self._threads: list[threading.Thread] = []
        self._child_ends: list[int] = []
        self._pipes: list[int] = []
        self._stop = threading.Event()

    def open(self, argv: list[str]) -> tuple[list[str], int | None, tuple[int, ...]]:
        """Make the pipes: (argv naming the real descriptors, ffmpeg's stdin, fds to pass)."""
        self.error = None
        self._stop.clear()
        self._pipes = []
        stdin = None
        passed: list[int] = []
        argv = list(argv)
        for feed in self.feeds:
            read_end, write_end = os.pipe()
            with contextlib.suppress(OSError):  # not Linux, or over the user's pipe limit
                fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
            self._child_ends.append(read_end)
            self._pipes.append(write_end)
            if feed.pipe == 0:
                stdin = read_end
            else:
                passed.append(read_end)
                # The plan names pipe:3, 4, ...; the descriptor the child gets is whatever
                # number the kernel gave the pipe here.
                argv[argv.index(f"pipe:{feed.pipe}")] = f"pipe:{read_end}"
        return argv, stdin, tuple(passed)

    def start(self, on_error: Callable[[], None]) -> None:
        """Close our copies of ffmpeg's ends and start writing."""
        for fd in self._child_ends:
            os.close(fd)
        self._child_ends = []
        for feed, source, write_end in zip(self.feeds, self.sources, self._pipes, strict=True):
            batches: queue.Queue[object] = queue.Queue(maxsize=2)
            producer = threading.Thread(
                target=self._produce,
                args=(feed, source, batches, on_error),
                name=f"reelspec-feed-{feed.pipe}",
                daemon=True,
            )
            writer = threading.Thread(
                target=self._write,
                args=(write_end, batches),
                name=f"reelspec-pipe-{feed.pipe}",
                daemon=True,
            )
            self._threads += [producer, writer]
            producer.start()
            writer.start()

    def stop(self) -> None:
        """Stop producing (ffmpeg is gone or done) and wait for the threads."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        if not self._threads:  # ffmpeg never started: no writer took its pipe end
            for fd in self._pipes:
                os.close(fd)
        self._threads = []
        self._pipes = []
        for fd in self._child_ends:
            os.close(fd)
        self._child_ends = []

    def raise_error(self, argv: list[str]) -> None:
        if self.error is None:
            return
        if isinstance(self.error, ReelspecError) and not isinstance(self.error, FeedError):
            detail = str(self.error)
        else:
            detail = f"{type(self.error).__name__}: {self.error}"
        raise FeedError(f"a model feeding frames failed mid-render: {detail}", argv)

    def _produce(
        self,
        feed: Feed,
        source: Any,
        out: queue.Queue[object],
        on_error: Callable[[], None],
    ) -> None:
        try:
            for chunk in self._chunks(feed, source):
                if not self._put(out, chunk):
                    return
        except BaseException as exc:  # reported through raise_error, after ffmpeg is stopped
            self.error = exc
            self._stop.set()
            on_error()
        finally:
            # The end marker must arrive however slowly ffmpeg reads: without it the pipe is
            # never closed and ffmpeg waits for more frames forever.
            self._put(out, _DONE)

    def _put(self, out: queue.Queue[object], item: object) -> bool:
        """Queue ``item``, waiting as long as it takes unless the feed is being stopped."""
        while not self._stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _chunks(self, feed: Feed, source: FrameSource) -> Iterator[bytes]:
        if not isinstance(feed, FrameModelFeed):
            yield from source.batches()
            return
        # The clip is opened like every render input: files only, no referencing demuxers.
        reader = FrameReader([ffmpeg_binary(), *guard_inputs(feed.decode)], feed.width, feed.height)
        try:
            yield from source.batches(reader.batches(feed.batch, feed.count))
            # The decoder stops by itself after its -frames:v; a clip that ends early ends it
            # sooner (the scene then holds the last frame). Either way it is done by now.
            try:
                code = reader.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                raise FeedError("the clip's decoder did not finish after its last frame") from None
            if code != 0:
                raise FeedError(
                    f"decoding the clip for the frame model failed:\n{reader.stderr_tail()}"
                )
        finally:
            reader.close()

    def _write(self, fd: int, batches: queue.Queue[object]) -> None:
        with os.fdopen(fd, "wb", buffering=0) as pipe:
            while True:
                try:
                    chunk = batches.get(timeout=0.2)
                except queue.Empty:
                    if self._stop.is_set():
                        return
                    continue
                if chunk is _DONE:
                    return
                try:
                    view = memoryview(chunk)  # type: ignore[arg-type]
                    while view:
                        written = os.write(pipe.fileno(), view)
                        view = view[written:]
                except (BrokenPipeError, ValueError):
                    # ffmpeg stopped reading: it finished early or failed; its own exit
                    # status tells which.
                    self._stop.set()
                    return
