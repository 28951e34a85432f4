"""What several commands share: argument types that refuse bad values with a short message,
the limits they enforce, the ``--output-root``/``--media-root`` flags, and writing a text file
confined like any output. Imports nothing heavy: every command's parser is built from here."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeAlias

    #: What ``add_subparsers`` returns; argparse keeps the class private.
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

#: The longest time a command-line argument may name (a day, as for spec times).
MAX_ARG_SECONDS = 86_400.0
#: Renders at once (--jobs) at most: each is an ffmpeg process.
MAX_JOBS = 1024
#: Local cluster workers (--workers) at most: each is a process (engine.farm.render).
MAX_WORKERS = 256
#: Farm chunks (--chunks) at most: each is a task and a file.
MAX_CHUNKS = 100_000


def shown(text: str, limit: int = 60) -> str:
    """A command-line value quoted for a message, cut short when long."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {shown(text)}"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise argparse.ArgumentTypeError(f"must be at least {minimum}{upper}, got {value}")
        return value

    return parse


def seconds(*, above: float | None = None) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds (no nan, no inf), above ``above``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds, got {shown(text)}"
            ) from None
        if not math.isfinite(value) or value > MAX_ARG_SECONDS:
            raise argparse.ArgumentTypeError(
                f"must be a finite number of seconds up to {MAX_ARG_SECONDS:g}, got {shown(text)}"
            )
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f"must be above {above:g}, got {value:g}")
        return value

    return parse


def window(text: str | None) -> tuple[float, float] | None:
    """``--window START:END`` as two times; checked after parsing so that its errors are
    UserErrors (exit code 2, like every other problem with what the user asked for)."""
    from engine.errors import UserError

    if text is None:
        return None
    quoted = shown(text)
    try:
        start, end = (float(part) for part in text.split(":", 1))
    except ValueError:
        raise UserError(f"--window expects START:END in seconds, got {quoted}") from None
    if not (math.isfinite(start) and math.isfinite(end)):
        raise UserError(f"--window needs two finite times START:END, got {quoted}")
    if end <= start:
        raise UserError(f"--window end must be after its start, got {quoted}")
    return start, end


def add_roots(p: argparse.ArgumentParser) -> None:
    from engine.paths import MEDIA_ROOT_ENV, OUTPUT_ROOT_ENV

    p.add_argument(
        "--output-root",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow writing inside DIR (default: only inside the spec's or template's "
        f"folder; {OUTPUT_ROOT_ENV} adds folders too)",
    )
    p.add_argument(
        "--media-root",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow reading media inside DIR (default: only inside the spec's folder; "
        f"{MEDIA_ROOT_ENV} adds folders too)",
    )


def spec_folder(spec: str | Path) -> Path:
    return Path(os.path.abspath(spec)).parent


def write_text(target: Path, text: str, roots: Sequence[Path], what: str) -> None:
    """A text file the CLI writes (a plan, a spec, a schema), confined like any output."""
    from engine.paths import check_output
    from engine.publish import write_bytes_atomic
    from engine.run.render import write_error

    check_output(target, roots, what)
    try:
        write_bytes_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise write_error(exc, target) from None
