"""Writing files so that readers see the old content or the new, never half of either.

Every file is written under a temporary name beside its destination (same file system) and
renamed over it when complete. A render publishes a *set* of files (the video, its manifest
and subtitle sidecars): ``publish_together`` renames them as one step under a lock on their
folder, and puts back what was there before when any rename fails, so a set is either wholly
new or wholly as it was. Only regular files are ever replaced (engine.paths.target_problem).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from engine.errors import UserError


def _proc_umask(status: str) -> int | None:
    """The ``Umask:`` line of a Linux ``/proc/<pid>/status`` (kernel 4.7 and later)."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == "Umask":
            try:
                return int(value.strip(), 8)
            except ValueError:
                return None
    return None


def _linux_umask() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            return _proc_umask(handle.read())
    except OSError:
        return None


def _umask_once() -> int:
    """Python can only read the umask by setting it (``os.umask``), which for that moment
    applies to every thread: a batch's rows publish and start ffmpeg from a thread pool, and
    a file or process made in that moment would get the temporary mask. So where /proc does
    not show it, it is read this way once, at import (normally before any of reelspec's
    threads start), and never again."""
    mask = _linux_umask()
    if mask is None:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_UMASK_AT_IMPORT = _umask_once()


def process_umask() -> int:
    """The umask, never changed to read it: the current one from /proc on Linux, the one at
    import elsewhere."""
    mask = _linux_umask()
    return _UMASK_AT_IMPORT if mask is None else mask


def _replaceable(path: Path) -> None:
    """Checked again right before a rename: the destination may have changed since the
    render began."""
    from engine.paths import target_problem

    problem = target_problem(path)
    if problem:
        raise UserError(f"not written: {problem}")


def _sync_folder(folder: Path) -> None:
    # A rename is on disk once its folder is; file systems that cannot sync a folder
    # (some network mounts) are left to their own guarantees.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_file(path: Path) -> None:
    """Flush a finished temporary to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` among reelspec processes publishing into it, so two
    renders to one output never interleave their sets. A lock on the folder itself leaves no
    lock file behind; where locks are not available (no fcntl, some network file systems)
    the renames still happen, just without the lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def temporary_beside(path: Path, suffix: str = ".part") -> Path:
    """A new empty file beside ``path``, named so it is hidden and recognisably ours."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


def write_temporary(path: Path, data: bytes) -> Path:
    """``data`` written and flushed to a temporary beside ``path``; the caller publishes or
    removes it. Nothing is left when writing fails (a full disk, say)."""
    tmp = temporary_beside(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def publish(temporary: Path, path: Path) -> None:
    """Rename a finished temporary file over ``path`` with ordinary permissions (mkstemp
    makes files readable by their owner only)."""
    publish_together([(temporary, path)])


def publish_together(pairs: Sequence[tuple[Path, Path]]) -> None:
    """Rename each finished temporary over its destination, in order (put the file whose
    presence means "done" last). If any step fails, or the process is interrupted, the
    destinations already replaced get their previous content back (or are removed when
    there was none) and the temporaries are left to the caller to remove."""
    mode = 0o666 & ~process_umask()
    folders = sorted({dest.parent for _, dest in pairs})
    with contextlib.ExitStack() as locks:
        for folder in folders:
            locks.enter_context(folder_lock(folder))
        for _, dest in pairs:
            _replaceable(dest)
        #: (destination, its previous file's second name) of every rename made.
        done: list[tuple[Path, Path | None]] = []
        try:
            for tmp, dest in pairs:
                backup = _second_name(dest) if os.path.lexists(dest) else None
                try:
                    os.chmod(tmp, mode)
                    os.replace(tmp, dest)
                except BaseException:
                    if backup is not None:
                        backup.unlink(missing_ok=True)
                    raise
                done.append((dest, backup))
        except BaseException:
            for dest, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is None:
                        dest.unlink(missing_ok=True)
                    else:
                        os.replace(backup, dest)
            raise
        finally:
            for _, backup in done:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        backup.unlink(missing_ok=True)
    for folder in folders:
        _sync_folder(folder)


def _second_name(path: Path) -> Path | None:
    """A hard link to the previous file, so it can be put back; None where the file system
    has no hard links (the previous file is then only removed on failure, never half-kept)."""
    try:
        backup = temporary_beside(path, ".old")
    except OSError:
        return None
    try:
        backup.unlink()
        os.link(path, backup)
    except OSError:
        backup.unlink(missing_ok=True)
        return None
    return backup


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name beside ``path`` (same filesystem), then rename over it. A
    destination that is not a regular file (or a folder on the way that is a file) is a
    UserError before anything is written."""
    _replaceable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = write_temporary(path, data)
    try:
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json_atomic(path: Path, data: Any) -> None:
    write_bytes_atomic(path, json_bytes(data))


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
