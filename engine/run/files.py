"""Writing files so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish(temporary: Path, path: Path) -> None:
    """Rename a finished temporary file over ``path`` with ordinary permissions (mkstemp
    makes files readable by their owner only)."""
    os.chmod(temporary, 0o666 & ~_umask())
    os.replace(temporary, path)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name beside ``path`` (same filesystem), then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        publish(Path(name), path)
    finally:
        Path(name).unlink(missing_ok=True)


def write_json_atomic(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))
