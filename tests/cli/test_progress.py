"""The progress displays: plain lines with fixed wording when stderr is a file or pipe (what
logs, scripts and the CLI tests read), a live rich bar with permanent lines above it on a
terminal. Driven with the core's own report types and a clock the test moves."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest

from engine.batch.runner import RowOutcome
from engine.cli.progress import (
    BatchDisplay,
    Board,
    FarmDisplay,
    RenderDisplay,
    TrainDisplay,
    clock,
    remaining,
)
from engine.farm.render import FarmProgress
from engine.gan.train import TrainProgress
from engine.run.supervise import Progress


class Clock:
    """A monotonic clock the test sets."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def plain(text: str) -> str:
    """``text`` without terminal control sequences (colours, cursor)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_clock_and_remaining() -> None:
    assert clock(None) == "--:--" and clock(0) == "00:00" and clock(61.6) == "01:02"
    assert remaining(10.0, 0.005) is None  # too little done to tell
    assert remaining(10.0, 0.25) == pytest.approx(30.0)


def test_render_lines_are_occasional_and_the_last_always_shows() -> None:
    stream, now = io.StringIO(), Clock()
    display = RenderDisplay(stream, "spec.yaml", now=now)
    now.now += 2
    display(Progress(5, 20, 0.5, 2.0, 2.0))  # the first report shows at once
    now.now += 2
    display(Progress(10, 20, 1.0, 2.0, 2.0))  # 2 s later: too soon
    now.now += 4
    display(Progress(15, 20, 1.5, 2.0, None))  # 6 s after the first: due
    now.now += 1
    display(Progress(20, 20, 2.0, 2.0, 2.5, done=True))  # the end, however soon
    assert lines(stream) == [
        "spec.yaml  25.0%  frame 5/20  2.00x  ETA 00:06",
        "spec.yaml  75.0%  frame 15/20  -  ETA 00:03",
        "spec.yaml 100.0%  frame 20/20  2.50x  ETA 00:00",
    ]


def test_a_file_of_sound_alone_reports_seconds_not_frames() -> None:
    stream, now = io.StringIO(), Clock()
    display = RenderDisplay(stream, "song.yaml", now=now)
    now.now += 2
    display(Progress(0, 0, 2.4, 9.6, 12.0))
    now.now += 6
    display(Progress(0, 0, 9.6, 9.6, 12.0, done=True))
    assert lines(stream) == [
        "song.yaml  25.0%  sound 2.4/9.6s  12.00x  ETA 00:06",
        "song.yaml 100.0%  sound 9.6/9.6s  12.00x  ETA 00:00",
    ]


def outcome(number: int, status: str, **fields: object) -> RowOutcome:
    return RowOutcome(number, f"r{number}", status, **fields)  # type: ignore[arg-type]


def test_batch_lines_name_each_row_and_indent_failures() -> None:
    stream, now = io.StringIO(), Clock()
    display = BatchDisplay(stream, now=now)
    display.row(outcome(1, "skipped", output="out/a.mp4"))
    display.progress(0, 40)
    now.now += 1
    display.progress(20, 40)  # too soon after the first status line
    display.row(outcome(2, "rendered", output="out/b.mp4", seconds=1.234))
    display.row(outcome(3, "failed", output="out/c.mp4", error="ffmpeg failed\nit said no"))
    display.row(outcome(4, "invalid", error="spec.yaml:4:15: scenes[0].duration: bad"))
    now.now += 5
    display.progress(40, 40)
    assert lines(stream) == [
        "row 1 (id r1): skipped → out/a.mp4",
        "batch   0.0%  frames 0/40  ETA --:--",
        "row 2 (id r2): rendered → out/b.mp4 in 1.2s",
        "row 3 (id r3): failed",
        "    ffmpeg failed",
        "    it said no",
        "row 4 (id r4): invalid",
        "    spec.yaml:4:15: scenes[0].duration: bad",
        "batch 100.0%  frames 40/40  ETA 00:00",
    ]


def test_batch_status_counts_finished_rows() -> None:
    stream, now = io.StringIO(), Clock()
    display = BatchDisplay(stream, rows=3, now=now)
    display.row(outcome(1, "skipped", output="a.mp4"))
    display.progress(10, 20)
    now.now += 10
    display.row(outcome(2, "rendered", output="b.mp4", seconds=2.0))
    display.progress(20, 20)
    assert [line for line in lines(stream) if line.startswith("batch")] == [
        "batch  50.0%  rows 1/3  frames 10/20  ETA 00:00",
        "batch 100.0%  rows 2/3  frames 20/20  ETA 00:00",
    ]


def test_quiet_batch_still_lists_rows() -> None:
    stream = io.StringIO()
    display = BatchDisplay(stream, bar=False)
    display.progress(1, 2)
    display.row(outcome(1, "rendered", output="a.mp4", seconds=0.5))
    assert lines(stream) == ["row 1 (id r1): rendered → a.mp4 in 0.5s"]


def test_farm_shows_the_dashboard_once_and_every_chunk() -> None:
    stream = io.StringIO()
    display = FarmDisplay(stream)
    link = "http://127.0.0.1:8787/status"
    display(FarmProgress(0, 2, 0, 35, 2, link))
    display(FarmProgress(1, 2, 20, 35, 2, link))
    display(FarmProgress(2, 2, 35, 35, 2, link))
    shown = lines(stream)
    assert shown[0] == f"dask dashboard: {link}"
    assert [line.split("  ")[:3] for line in shown[1:]] == [
        ["chunks 0/2", "frames 0/35", "workers 2"],
        ["chunks 1/2", "frames 20/35", "workers 2"],
        ["chunks 2/2", "frames 35/35", "workers 2"],
    ]
    assert shown[-1].startswith("chunks 2/2  frames 35/35  workers 2  ")
    assert shown[-1].endswith("ETA 00:00")


def test_quiet_farm_shows_only_the_dashboard() -> None:
    stream = io.StringIO()
    display = FarmDisplay(stream, bar=False)
    display(FarmProgress(0, 2, 0, 35, 2, "http://127.0.0.1:8787/status"))
    display(FarmProgress(2, 2, 35, 35, 2, "http://127.0.0.1:8787/status"))
    assert lines(stream) == ["dask dashboard: http://127.0.0.1:8787/status"]


def test_training_lines_checkpoints_and_the_last_step() -> None:
    stream, now = io.StringIO(), Clock()
    display = TrainDisplay(stream, now=now)
    display(TrainProgress(1, 4, 1.0, 2.0, 1.0, 0.5))
    now.now += 1
    display(TrainProgress(2, 4, 1.25, 1.5, 2.0, 1.0, checkpoint="ckpt-0000002.npz"))
    display(TrainProgress(3, 4, 1.0, 1.0, 3.0, 1.0))  # too soon for a line
    display(TrainProgress(4, 4, 0.5, 0.75, 4.0, 1.0))
    assert lines(stream) == [
        "step 1/4  D 1.000  G 2.000  0.50 steps/s  ETA 0.1 min",
        "step 2/4  D 1.250  G 1.500  1.00 steps/s  ETA 0.0 min  checkpoint ckpt-0000002.npz",
        "step 4/4  D 0.500  G 0.750  1.00 steps/s  ETA 0.0 min",
    ]


def test_reports_from_many_threads_come_out_as_whole_lines() -> None:
    stream = io.StringIO()
    display = BatchDisplay(stream)
    barrier = threading.Barrier(8)

    def rows(first: int) -> None:
        barrier.wait()
        for number in range(first, first + 50):
            display.row(outcome(number, "failed", error=f"broke {number}\nsecond line"))
            display.progress(number, 1000)

    threads = [threading.Thread(target=rows, args=(n * 50,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shown = [line for line in lines(stream) if not line.startswith("batch ")]
    assert len(shown) == 8 * 50 * 3
    for head, message, second in zip(shown[::3], shown[1::3], shown[2::3], strict=True):
        number = head.split()[1]
        assert head == f"row {number} (id r{number}): failed"
        assert message == f"    broke {number}" and second == "    second line"


def test_a_terminal_gets_a_live_bar_and_lines_above_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    stream = Terminal()
    with BatchDisplay(stream) as display:
        display.row(outcome(1, "skipped", output="a.mp4"))
        display.progress(10, 40)
        display.row(outcome(2, "failed", error="[bold]not markup[/bold] :smile:"))
        display.progress(40, 40)
    raw = stream.getvalue()
    assert "\x1b[?25l" in raw and raw.endswith("\x1b[?25h")  # cursor hidden, then back
    text = plain(raw)
    assert "━" * 24 in text  # the bar, drawn by rich
    assert "batch " in text and "100.0%  frames 40/40  ETA 00:00" in text
    # Rows are printed once each, above the bar; their text is never read as rich markup.
    assert text.count("row 2 (id r2): failed") == 1
    assert "[bold]not markup[/bold] :smile:" in text
    assert "row 1 (id r1): skipped → a.mp4" in text
    # No plain status lines on a terminal: the status is the bar's.
    assert "batch  25.0%" not in text


def test_a_terminal_bar_shows_names_as_they_are_and_stops_for_good() -> None:
    stream = Terminal()
    with RenderDisplay(stream, "[red]promo[/red].yaml") as display:
        display(Progress(10, 10, 1.0, 1.0, 4.0, done=True))
    text = plain(stream.getvalue())
    assert "[red]promo[/red].yaml" in text and "100.0%  frame 10/10  4.00x" in text
    # A report after the command ended (a thread finishing late) starts no second bar.
    before = stream.getvalue()
    display(Progress(10, 10, 1.0, 1.0, 4.0, done=True))
    assert stream.getvalue() == before


def test_a_terminal_without_reports_shows_no_bar() -> None:
    stream = Terminal()
    with RenderDisplay(stream, "spec.yaml"):
        pass
    with BatchDisplay(stream, bar=False) as quiet:
        quiet.progress(1, 2)
        quiet.row(outcome(1, "rendered", output="a.mp4", seconds=1.0))
    text = plain(stream.getvalue())
    assert "━" not in text and "spec.yaml" not in text
    assert "row 1 (id r1): rendered → a.mp4 in 1.0s" in text


def test_the_live_bar_is_stopped_when_the_command_fails() -> None:
    stream = Terminal()
    board = Board(stream, "x")
    with pytest.raises(RuntimeError), board:
        board.status(0.5, "half way")
        raise RuntimeError("boom")
    assert board._live is None
    assert stream.getvalue().endswith("\x1b[?25h")


def test_the_cli_draws_a_live_bar_on_a_terminal(tmp_path: Path) -> None:
    """`reelspec render` with stderr on a pseudo-terminal: rich's live bar, then the result
    on stdout."""
    import os
    import subprocess
    import sys

    pty = pytest.importorskip("pty")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\noutput: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}"
        "\nscenes:\n  - {duration: 1, layers: [{type: color, color: red}]}\n",
        encoding="utf-8",
    )
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "render", str(spec)],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # Linux: the other end closed
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    stdout, _ = process.communicate(timeout=120)
    shown = plain(received.decode("utf-8", "replace"))
    assert process.returncode == 0, shown
    assert "━" in shown and "frame 10/10" in shown and "100.0%" in shown
    assert "Traceback" not in shown
    assert stdout.startswith(f"wrote {tmp_path / 'out.mp4'}")
