"""Where reelspec may write and what it may read: outputs and media confined to roots.

Specs, templates and data rows come from other people, so a path in them must not reach
outside the project it belongs to. Two kinds of root:

- the **output root**: every file reelspec writes (videos, manifests, subtitle sidecars,
  batch outputs and manifests, ``-o`` files, text2video's spec) lies inside it. By default
  the spec's folder (a batch template's folder); ``--output-root DIR`` or
  ``REELSPEC_OUTPUT_ROOT`` adds more.
- the **media root**: every file a spec reads (pictures, clips, sounds, image sequences,
  models, subtitles files, fonts named by path) lies inside it. By default the spec's folder;
  ``--media-root DIR`` or ``REELSPEC_MEDIA_ROOT`` adds more.

"Inside" is decided on real paths: the nearest existing ancestor is resolved through its
symbolic links and the rest is taken as written, so a link that leads out counts as leaving.

This module only uses the standard library, so anything can import it cheaply; the spec
walk imports the spec models when it runs.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, MediaError, SpecError, SpecIssue, UserError

if TYPE_CHECKING:
    from engine.spec.loader import LoadedSpec, PathKey

OUTPUT_ROOT_ENV = "REELSPEC_OUTPUT_ROOT"
MEDIA_ROOT_ENV = "REELSPEC_MEDIA_ROOT"
#: How many files of one image sequence are checked for links that lead out.
MAX_SEQUENCE_CHECKS = 100_000


@dataclass(frozen=True)
class Roots:
    """Roots added to the spec's own folder (``--output-root``/``--media-root``)."""

    outputs: tuple[Path, ...] = ()
    media: tuple[Path, ...] = ()


#: Set by the command line for the duration of one command (see ``widened``).
_flags = Roots()


def real(path: str | Path) -> Path:
    """``path`` made absolute with every existing part resolved through its links (the part
    that does not exist yet is taken as written; it cannot be a link)."""
    return Path(os.path.realpath(os.path.abspath(path)))


def short(path: str | Path, limit: int = 160) -> str:
    """A path for a message: whole when short, else its head and tail."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2 - 2]}…{text[-(limit // 2 - 2) :]}"


def folder_root(path: str | Path, what: str) -> Path:
    """A root named on the command line: it must be an existing folder."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise UserError(f"{what} {short(path)} is not an existing folder")
    return real(folder)


def _env_roots(name: str) -> tuple[Path, ...]:
    text = os.environ.get(name, "")
    out = []
    for part in text.split(os.pathsep):
        if not part.strip():
            continue
        folder = Path(part.strip()).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"{name}: {short(part)} is not an existing folder")
        out.append(real(folder))
    return tuple(out)


@contextmanager
def widened(outputs: Sequence[Path] = (), media: Sequence[Path] = ()) -> Iterator[None]:
    """Extra roots for everything run inside the block (the CLI's ``--output-root`` and
    ``--media-root``); visible to every thread of the process."""
    global _flags
    before = _flags
    _flags = Roots(
        before.outputs + tuple(real(p) for p in outputs),
        before.media + tuple(real(p) for p in media),
    )
    try:
        yield
    finally:
        _flags = before


def output_roots(base: str | Path) -> tuple[Path, ...]:
    return (real(base), *_env_roots(OUTPUT_ROOT_ENV), *_flags.outputs)


def media_roots(base: str | Path) -> tuple[Path, ...]:
    return (real(base), *_env_roots(MEDIA_ROOT_ENV), *_flags.media)


def inside(path: str | Path, roots: Sequence[Path]) -> bool:
    where = real(path)
    return any(where == root or root in where.parents for root in roots)


def _roots_text(roots: Sequence[Path]) -> str:
    return ", ".join(short(r, 100) for r in roots[:4]) + (" …" if len(roots) > 4 else "")


def outside_output(path: str | Path, roots: Sequence[Path]) -> str | None:
    """Why ``path`` may not be written, or None when it lies inside an output root."""
    if inside(path, roots):
        return None
    return (
        f"{short(path)} is outside the output root ({_roots_text(roots)}); "
        f"widen it with --output-root DIR or {OUTPUT_ROOT_ENV}"
    )


def outside_media(path: str | Path, roots: Sequence[Path]) -> str | None:
    """Why ``path`` may not be read, or None when it lies inside a media root."""
    if inside(path, roots):
        return None
    return (
        f"{short(path)} is outside the media root ({_roots_text(roots)}); "
        f"widen it with --media-root DIR or {MEDIA_ROOT_ENV}"
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def target_problem(path: Path) -> str | None:
    """Why reelspec may not write ``path`` (atomically, by renaming a new file over it), or
    None. Only a regular file (or nothing) is ever replaced: a device, folder, pipe, socket
    or link at the destination, or a file where a folder is needed, is refused up front."""
    if _CONTROL.search(str(path)):
        return f"{short(ascii(str(path)))} holds a control character"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a parent is not a folder: found below
    except OSError as exc:
        return f"cannot check {short(path)}: {exc.strerror or exc}"
    if info is not None:
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            return f"{short(path)} is a symbolic link; reelspec only replaces regular files"
        if stat.S_ISDIR(mode):
            return f"{short(path)} is a folder, not a file"
        if not stat.S_ISREG(mode):
            return (
                f"{short(path)} is a device, pipe or socket; reelspec only replaces regular files"
            )
        return None
    parent = path.parent
    while True:
        try:
            info = os.stat(parent)
        except (FileNotFoundError, NotADirectoryError):
            if parent == parent.parent:
                return None
            parent = parent.parent
            continue
        except OSError as exc:
            return f"cannot check {short(parent)}: {exc.strerror or exc}"
        if not stat.S_ISDIR(info.st_mode):
            return f"{short(parent)} is not a folder, so {short(path)} cannot be written"
        return None


def check_output(path: Path, roots: Sequence[Path], what: str = "output") -> Path:
    """``path`` (absolute) when reelspec may write it; a UserError naming ``what`` otherwise."""
    problem = outside_output(path, roots) or target_problem(path)
    if problem:
        raise UserError(f"{what}: {problem}")
    return path


def collision_key(path: Path) -> str:
    """One key for every spelling of a file: real path, Unicode-normalised and case-folded
    (macOS and Windows file systems treat ``A.mp4`` and ``a.mp4``, and composed and
    decomposed accents, as one file; refusing such pairs everywhere is the safe side)."""
    return unicodedata.normalize("NFC", str(real(path))).casefold()


# --- paths in a spec ---------------------------------------------------------------------


def spec_file(base: Path, src: str) -> Path:
    """A path written in a spec, as the engine reads it: relative to the spec's folder."""
    return Path(os.path.abspath((Path(base) / src).expanduser()))


def media_file(base: Path, src: str) -> Path:
    """A media path of a spec, refused (MediaError) when it leaves the media root."""
    path = spec_file(base, src)
    problem = outside_media(path, media_roots(base))
    if problem:
        raise MediaError(problem)
    return path


def output_file(loaded: LoadedSpec, src: str) -> Path:
    """The spec's output file, refused (a SpecError at ``output.path``) when it leaves the
    output root."""
    path = real(spec_file(loaded.base_dir, src))
    problem = outside_output(path, output_roots(loaded.base_dir))
    if problem:
        raise SpecError([loaded.source.issue(("output", "path"), problem)])
    return path


_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
_PRINTF = re.compile(r"%0?\d*d")


def _font_is_file(name: str) -> bool:
    # The rule of engine.resolve.fonts.resolve_font: a font file by suffix or a slash;
    # anything else is a family name looked up among installed fonts.
    return name.lower().endswith(_FONT_SUFFIXES) or "/" in name or os.sep in name


def _marks_path(info: Any) -> bool:
    """Whether a model field is a ``PathStr`` (alone, in a union or optional): it carries the
    path check as an AfterValidator, in the field's metadata or inside its annotation."""
    from typing import get_args

    from engine.spec.common import PathStr

    marker = get_args(PathStr)[-1]
    if any(part is marker for part in info.metadata):
        return True
    stack = [info.annotation]
    while stack:
        item = stack.pop()
        if any(part is marker for part in getattr(item, "__metadata__", ())):
            return True
        stack.extend(get_args(item))
    return False


@functools.cache
def _path_names(model: type) -> frozenset[str]:
    fields = getattr(model, "model_fields", {})
    return frozenset(name for name, info in fields.items() if _marks_path(info))


def _path_fields(model: Any, where: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    """(location, value) of every path field (``PathStr``) set in a spec."""
    from pydantic import BaseModel

    model_type: type = type(model)
    paths = _path_names(model_type)
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = (*where, name)
        if isinstance(value, str):
            if name in paths:
                yield here, value
        elif isinstance(value, BaseModel):
            yield from _path_fields(value, here)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _path_fields(item, (*here, index))


def _is_pattern(value: str) -> bool:
    """A path that names many files: a printf number or glob characters."""
    return bool(_PRINTF.search(value)) or any(ch in value for ch in "*?[")


def _sequence_members(pattern: Path) -> Iterator[Path]:
    """The files an image-sequence pattern can name (printf numbers read as any digits)."""
    name = pattern.name
    if _PRINTF.search(name):
        name = _PRINTF.sub("*", glob.escape(name)).replace("%%", "%")  # printf's %% is a %
        wanted = glob.escape(str(pattern.parent)) + "/" + name
    else:
        wanted = str(pattern)
    for count, found in enumerate(glob.iglob(wanted)):
        if count >= MAX_SEQUENCE_CHECKS:
            return
        yield Path(found)


def spec_path_issues(loaded: LoadedSpec, output_dir: Path | None = None) -> list[SpecIssue]:
    """Every path of the spec that leaves its root, located: media (and fonts named by path)
    outside the media root, and the output outside the output root or at something that is
    not a regular file. ``output_dir`` is where a relative output path lands when it is not
    the spec's folder (``batch --out-dir``)."""
    base = loaded.base_dir
    media = media_roots(base)
    outputs = output_roots(base)
    issues: list[SpecIssue] = []
    for where, value in _path_fields(loaded.spec):
        if where == ("output", "path"):
            target = spec_file(output_dir if output_dir is not None else base, value)
            problem = outside_output(target, outputs) or target_problem(target)
        elif where[-1] == "font" and not _font_is_file(value):
            continue
        else:
            target = spec_file(base, value)
            problem = outside_media(target, media)
            if problem is None and _is_pattern(value):
                # A pattern names many files (an image sequence): every one must lie inside.
                problem = next(
                    (
                        outside_media(member, media)
                        for member in _sequence_members(target)
                        if not inside(member, media)
                    ),
                    None,
                )
        if problem:
            issues.append(loaded.source.issue(where, problem))
    return issues


def check_spec_paths(loaded: LoadedSpec, output_dir: Path | None = None) -> None:
    """Raise a SpecError listing every path of the spec that leaves its root."""
    issues = spec_path_issues(loaded, output_dir)
    if issues:
        raise SpecError(issues)
