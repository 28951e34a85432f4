"""``lut`` effects: a ``.cube`` 3D LUT read and checked here, and rewritten into the cache.

A LUT is a file a stranger may write, so it is read here first, strictly, before any render
starts, with each problem named by its line (ffmpeg would only fail once rendering, naming no
line). What ffmpeg then reads is a copy written by this module:
only a size line and the numbers, named by their content in the cache. The spec's path never
reaches the filter graph, so no character in it (``:``, ``'``, ``[``, ``,``) can change the
graph; the cache's own path is quoted like every other value (engine/compile/graph.py).

The format is Adobe's Cube LUT 1.0, 3D only: ``TITLE``, ``LUT_3D_SIZE N`` (2 to 64),
``DOMAIN_MIN``/``DOMAIN_MAX`` or ``LUT_3D_INPUT_RANGE`` (only the default 0..1),
comments (``#``) and blank lines, then N³ lines of three numbers, red changing fastest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.cache import cached_file, content_key
from engine.errors import MediaError, excerpt

if TYPE_CHECKING:
    from engine.resolve.context import ResolveContext
    from engine.resolved import ResolvedLayer
    from engine.spec.loader import PathKey

#: The largest table: 64³ entries (ffmpeg accepts up to 256, which is 16.7 million lines).
MAX_LUT_SIZE = 64
#: A 64³ table is about 262,000 lines of ~30 bytes; a file much larger is not a LUT.
MAX_LUT_BYTES = 16 * 1024 * 1024
#: Output values a LUT may hold: a little outside 0..1 is common (clipped when shown).
VALUE_RANGE = (-1.0, 2.0)


def checked_lut(src: Path, shown: str) -> Path:
    """The LUT at ``src`` (written ``shown`` in the spec) checked, as a cached copy that
    ffmpeg reads; MediaError naming the line of the first problem."""
    try:
        if not src.is_file():
            raise MediaError(f"{shown}: not a file" if src.exists() else f"{shown}: no such file")
        with src.open("rb") as handle:
            data = handle.read(MAX_LUT_BYTES + 1)
        if len(data) > MAX_LUT_BYTES:
            raise MediaError(
                f"{shown}: too large for a .cube LUT (over {MAX_LUT_BYTES:,} bytes; a 64³ "
                "table is about 8 MB)"
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise MediaError(f"{shown}: no such file") from None
    except UnicodeDecodeError:
        raise MediaError(f"{shown}: not a text file (a .cube LUT is text)") from None
    except OSError as exc:
        raise MediaError(f"{shown}: cannot read it: {exc.strerror or exc}") from None
    side, table = parse_cube(text, shown)
    body = "".join(f"{r:.7g} {g:.7g} {b:.7g}\n" for r, g, b in table)
    canonical = f"LUT_3D_SIZE {side}\n{body}"
    key = content_key("lut", canonical)

    def write(file: Path) -> None:
        file.write_text(canonical, encoding="utf-8")

    return cached_file(key, ".cube", write)


def parse_cube(text: str, shown: str) -> tuple[int, list[tuple[float, float, float]]]:
    """(N, the N³ output colours in file order) of a .cube text; MediaError at a line."""
    # Long on purpose: one pass over the lines, each kind of line checked where it is met,
    # so every message can name its line.
    side: int | None = None
    table: list[tuple[float, float, float]] = []
    low, high = VALUE_RANGE
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{shown} line {number}"
        word, _, rest = line.partition(" ")
        if _is_keyword(word) and table:
            raise MediaError(f"{where}: {excerpt(word)} must come before the table")
        if word == "TITLE":
            continue
        if word == "LUT_1D_SIZE":
            raise MediaError(f"{where}: a 1D LUT; only 3D LUTs (LUT_3D_SIZE) are supported")
        if word == "LUT_3D_SIZE":
            if side is not None:
                raise MediaError(f"{where}: a second LUT_3D_SIZE")
            try:
                side = int(rest.strip())
            except ValueError:
                raise MediaError(
                    f"{where}: LUT_3D_SIZE needs a whole number (got {excerpt(rest.strip())})"
                ) from None
            if not 2 <= side <= MAX_LUT_SIZE:
                raise MediaError(f"{where}: LUT_3D_SIZE must be 2 to {MAX_LUT_SIZE} (got {side})")
            continue
        if word in _DOMAINS:
            if _numbers(rest, where, count=len(_DOMAINS[word])) != _DOMAINS[word]:
                default = " ".join(f"{v:g}" for v in _DOMAINS[word])
                raise MediaError(
                    f"{where}: only the default domain is supported ({word} {default}; got "
                    f"{excerpt(rest.strip())}): rescale the table to 0..1"
                )
            continue
        if _is_keyword(word):
            raise MediaError(f"{where}: unknown keyword {excerpt(word)}")
        if side is None:
            raise MediaError(f"{where}: the table starts before LUT_3D_SIZE")
        entry = _numbers(line, where, count=3)
        if not all(low <= v <= high for v in entry):
            raise MediaError(f"{where}: values must lie between {low:g} and {high:g} (got {line})")
        table.append((entry[0], entry[1], entry[2]))
        if len(table) > side**3:
            raise MediaError(f"{where}: more than {side}³ = {side**3} entries")
    if side is None:
        raise MediaError(f"{shown}: no LUT_3D_SIZE line (is it a .cube 3D LUT?)")
    if len(table) != side**3:
        raise MediaError(
            f"{shown}: LUT_3D_SIZE {side} needs {side**3} entries, the file has {len(table)}"
        )
    return side, table


#: The domain lines a table may have, with the only values accepted: the table is written
#: again without them, so it must already map 0..1.
_DOMAINS = {
    "DOMAIN_MIN": (0.0, 0.0, 0.0),
    "DOMAIN_MAX": (1.0, 1.0, 1.0),
    "LUT_3D_INPUT_RANGE": (0.0, 1.0),
}


def _is_keyword(word: str) -> bool:
    return word[:1].isalpha() and word.replace("_", "").isalnum() and word.upper() == word


def _numbers(text: str, where: str, count: int) -> tuple[float, ...]:
    parts = text.split()
    wrong = f"{where}: expected {count} numbers (got {excerpt(text.strip())})"
    if len(parts) != count:
        raise MediaError(wrong)
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        raise MediaError(wrong) from None
    if not all(math.isfinite(v) for v in values):
        raise MediaError(f"{where}: numbers must be finite (got {excerpt(text.strip())})")
    return values


def effect_luts(
    ctx: ResolveContext, path: PathKey, effects: Sequence[Any]
) -> tuple[Path, ...] | None:
    """The checked copies of the LUTs a layer's (or an overlay's) ``effects`` name, in order;
    None when one has a problem (recorded at its ``lut`` key)."""
    from engine.spec.effects import Lut

    files: list[Path | None] = []
    for index, effect in enumerate(effects):
        if isinstance(effect, Lut):
            where = (*path, "effects", index, "lut")
            files.append(ctx.attempt(where, partial(_checked, ctx, effect.lut)))
    checked = tuple(file for file in files if file is not None)
    return checked if len(checked) == len(files) else None


def _checked(ctx: ResolveContext, lut: str) -> Path:
    return checked_lut(ctx.source(lut), excerpt(lut, 80))


def with_luts(
    ctx: ResolveContext,
    path: PathKey,
    spec: Any,
    resolve: Callable[[ResolveContext, PathKey, Any], ResolvedLayer | None],
) -> ResolvedLayer | None:
    """A scene layer resolved by its type, with its effects' LUTs checked (both recorded at
    their places when they have problems)."""
    layer = resolve(ctx, path, spec)
    luts = effect_luts(ctx, path, getattr(spec, "effects", ()))
    if layer is None or luts is None:
        return None
    return replace(layer, luts=luts) if luts else layer
