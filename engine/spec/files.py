"""Reading user files safely: regular files of bounded size only, decoded as UTF-8 with a
located error. Used for specs, templates, data files and tags."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path


def read_limited(
    path: Path, limit: int, what: str, variable: str, fail: Callable[..., Exception]
) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    The file's type is checked before it is opened (a FIFO would block the open, /dev/zero
    would never end) and again on the open descriptor, which is opened non-blocking so that a
    file swapped for a FIFO in between cannot hang it either. ``fail(message)`` makes the
    error to raise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail(f"{what} not found: {excerpt_path(path)}") from None
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {what} {excerpt_path(path)}: {_os_reason(exc)}") from None
    _check_regular(info, path, what, limit, variable, fail)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise fail(f"cannot read {what} {excerpt_path(path)}: {_os_reason(exc)}") from None
    try:
        _check_regular(os.fstat(fd), path, what, limit, variable, fail)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise fail(f"cannot read {what} {excerpt_path(path)}: {_os_reason(exc)}") from None
    finally:
        os.close(fd)
    if size > limit:  # it grew after the stat
        raise fail(_too_big(path, what, size, limit, variable))
    return b"".join(chunks)


def _check_regular(
    info: os.stat_result,
    path: Path,
    what: str,
    limit: int,
    variable: str,
    fail: Callable[..., Exception],
) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise fail(f"{what} {excerpt_path(path)} is a folder, not a file")
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise fail(f"{what} {excerpt_path(path)} is {kind}; only regular files are read")
    if info.st_size > limit:
        raise fail(_too_big(path, what, info.st_size, limit, variable))


def _too_big(path: Path, what: str, size: int, limit: int, variable: str) -> str:
    return (
        f"{what} {excerpt_path(path)} is {size} bytes, over the limit of {limit} "
        f"(raise it with {variable})"
    )


def _os_reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def excerpt_path(path: Path | str) -> str:
    text = str(path)
    if len(text) <= 200:
        return text
    return f"{text[:100]}…{text[-60:]} ({len(text)} characters)"


def decode_utf8(data: bytes, file: str, fail: Callable[..., Exception]) -> str:
    """UTF-8 text (a leading byte-order mark dropped); a bad byte is reported with the line
    and column where it sits."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise fail(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded "
            "(save the file as UTF-8)",
            file=file,
            line=line,
            column=column,
        ) from None
