"""A content-addressed cache for drawn artifacts (text cards, gradients).

An artifact's file name is the hash of everything that decides its pixels, so a re-render
reuses it and two specs that draw the same card share one file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from engine import __version__

ENV_VAR = "REELSPEC_CACHE"


def cache_dir() -> Path:
    configured = os.environ.get(ENV_VAR)
    base = Path(configured) if configured else Path.home() / ".cache" / "reelspec"
    base.mkdir(parents=True, exist_ok=True)
    return base


def content_key(kind: str, payload: object) -> str:
    blob = json.dumps([kind, __version__, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@functools.lru_cache(maxsize=256)
def file_digest(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest_of(path: Path) -> str:
    stat = path.stat()
    return file_digest(str(path), stat.st_mtime_ns, stat.st_size)


def folder_digest(path: Path) -> str:
    """A folder's content hash: every file's relative name and content, in sorted order."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path)}\0{digest_of(file)}\0".encode())
    return digest.hexdigest()


def cache_path(key: str, suffix: str) -> Path:
    """Where the artifact for ``key`` lives (it may not exist yet)."""
    return cache_dir() / key[:2] / f"{key}{suffix}"


def cached_file(key: str, suffix: str, write: Callable[[Path], None]) -> Path:
    """The cached file for ``key``, written by ``write`` (atomically) if it is not there yet."""
    target = cache_path(key, suffix)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def cached_folder(key: str, write: Callable[[Path], None]) -> Path:
    """The cached folder for ``key``, filled by ``write`` (in a private folder beside it,
    then renamed into place whole) if it is not there yet. Two processes filling it at once
    both write; the first rename wins and the other's copy is removed."""
    target = cache_path(key, "")
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        write(tmp)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def write_json_cached(key: str, suffix: str, data: object) -> Path:
    """Store a small JSON record under ``key`` (for facts that are slow to find again)."""

    def write(path: Path) -> None:
        path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")

    return cached_file(key, suffix, write)
