"""Making a resolved spec portable: every file it reads gets a content-addressed relative
name, so a worker with no shared filesystem can rebuild the spec's world in a temporary
folder from the bytes shipped with the task, and compile exactly what the client resolved.

Workers never load or resolve a spec: what the client measured (probed lengths, spoken
narration, drawn text, the frame of every scene) travels as it is, so a chunk cannot come
out different from the same frames of a local render.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from engine.cache import digest_of, folder_digest
from engine.resolved import FileKind, ResolvedSpec, with_files


@dataclass(frozen=True)
class PortableSpec:
    #: The resolved spec with every file named relative to the worker's folder.
    resolved: ResolvedSpec
    #: Relative name on the worker → file on this machine.
    files: dict[str, Path]


def make_portable(resolved: ResolvedSpec) -> PortableSpec:
    files: dict[str, Path] = {}

    def ship(path: Path, kind: FileKind, members: tuple[Path, ...]) -> Path:
        if kind == "sequence":
            # Frames keep their names, in a folder named after the pattern.
            folder = "s/" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
            for frame in members:
                files[f"{folder}/{frame.name}"] = frame.resolve()
            return Path(folder) / path.name
        path = path.resolve()
        if kind == "model" and path.is_dir():
            folder = f"f/{folder_digest(path)[:24]}"
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                files[f"{folder}/{file.relative_to(path)}"] = file
            return Path(folder)
        name = f"f/{digest_of(path)[:24]}{path.suffix.lower()}"
        files[name] = path
        return Path(name)

    portable = with_files(resolved, ship)
    portable = replace(
        portable, output_path=Path("out" + resolved.output_path.suffix), spec_file=None
    )
    return PortableSpec(portable, files)


def settle(portable: ResolvedSpec, root: Path) -> ResolvedSpec:
    """The shipped spec with its files under ``root``, where the worker wrote them."""
    return replace(
        with_files(portable, lambda path, kind, members: root / path),
        output_path=root / portable.output_path,
    )
