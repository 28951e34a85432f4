"""Published files get ordinary permissions (``0o666`` less the umask) without the process's
umask ever being changed to read it: a batch publishes and starts ffmpeg from many threads,
and a file or process made while the umask was changed would get the wrong one."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from engine import publish


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_the_umask_line_of_proc_status_is_read() -> None:
    status = "Name:\tpython\nUmask:\t0027\nState:\tR (running)\n"
    assert publish._proc_umask(status) == 0o027
    assert publish._proc_umask("Name:\tpython\n") is None  # kernels before 4.7
    assert publish._proc_umask("Umask:\tnonsense\n") is None


def test_publishing_never_touches_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mask = current_umask()

    def forbidden(_: int) -> int:
        raise AssertionError("os.umask called while publishing")

    monkeypatch.setattr(os, "umask", forbidden)
    threads = [
        threading.Thread(target=publish.write_bytes_atomic, args=(tmp_path / f"{n}.txt", b"x"))
        for n in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n in range(16):
        assert (tmp_path / f"{n}.txt").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_changed_umask_applies_to_the_next_file(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        assert publish.process_umask() == 0o027
        publish.write_bytes_atomic(tmp_path / "private.txt", b"x")
    finally:
        os.umask(previous)
    assert (tmp_path / "private.txt").stat().st_mode & 0o777 == 0o640
