"""Turning a font name from a spec into a font file.

``sans``, ``serif`` and ``mono`` are the DejaVu families that ship inside the matplotlib wheel
(see docs/decisions/0002-fonts.md), so the defaults work on a fresh machine with no system fonts.
Other names are looked up among installed fonts by family name; a path is used as given.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from pathlib import Path

from PIL import ImageFont

from engine.errors import MediaError, excerpt

_BUILTIN = {
    "sans": (
        "DejaVuSans",
        {"normal": "", "bold": "-Bold", "italic": "-Oblique", "bolditalic": "-BoldOblique"},
    ),
    "serif": (
        "DejaVuSerif",
        {"normal": "", "bold": "-Bold", "italic": "-Italic", "bolditalic": "-BoldItalic"},
    ),
    "mono": (
        "DejaVuSansMono",
        {"normal": "", "bold": "-Bold", "italic": "-Oblique", "bolditalic": "-BoldOblique"},
    ),
}
_ALIASES = {
    "sans-serif": "sans",
    "monospace": "mono",
    "dejavu sans": "sans",
    "dejavu serif": "serif",
    "dejavu sans mono": "mono",
}
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@functools.lru_cache(maxsize=1)
def _builtin_dir() -> Path:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise MediaError("the built-in fonts come with matplotlib, which is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def _variant(weight: str, italic: bool) -> str:
    return ("bold" if weight == "bold" else "") + ("italic" if italic else "") or "normal"


def resolve_font(name: str, weight: str, italic: bool, base_dir: Path) -> Path:
    """The file for ``name`` in the given weight and slant; MediaError names what is missing."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key in _BUILTIN:
        stem, variants = _BUILTIN[key]
        path = _builtin_dir() / f"{stem}{variants[_variant(weight, italic)]}.ttf"
        if not path.is_file():
            raise MediaError(f"built-in font file missing: {path}")
        return path
    if name.lower().endswith(_FONT_SUFFIXES) or "/" in name or os.sep in name:
        path = (base_dir / name).expanduser()
        if not _is_file(path):
            raise MediaError(f"font file not found: {path}")
        check_font_file(path)
        return path
    installed = _installed_families()
    candidates = installed.get(name.strip().lower())
    if not candidates:
        known = ", ".join(["sans", "serif", "mono", *sorted(installed)[:20]])
        raise MediaError(f"font family {excerpt(name)} not found; known families include: {known}")
    wanted = _variant(weight, italic)
    return candidates.get(wanted) or candidates.get("normal") or next(iter(candidates.values()))


@functools.lru_cache(maxsize=1)
def fallback_fonts() -> tuple[Path, ...]:
    """Fonts tried, in order, for characters the chosen font lacks: DejaVu Sans for symbols
    and other scripts, then Noto Sans CJK (from the cvttf-notosanscjk-regular wheel) for
    Chinese, Japanese and Korean."""
    found: list[Path] = [_builtin_dir() / "DejaVuSans.ttf"]
    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Regular")
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
        found += sorted(p for p in folder.iterdir() if p.suffix.lower() in _FONT_SUFFIXES)
    return tuple(p for p in found if p.is_file())


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # EACCES on a folder, a name too long...
        return False


def check_font_file(path: Path) -> None:
    """A font file Pillow and fontTools can both read (a file that only claims to be a font,
    by its name, fails here with a MediaError rather than later in drawing)."""
    coverage(str(path))
    try:
        ImageFont.truetype(str(path), size=12)
    except (OSError, ValueError) as exc:
        raise MediaError(f"not a font Pillow can draw with: {path} ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


@functools.lru_cache(maxsize=32)
def coverage(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=0, lazy=True)
        cmap = font.getBestCmap() or {}
    except Exception as exc:  # fontTools fails on a corrupt file in many ways; all mean this
        raise MediaError(f"not a readable font file: {path} ({_reason(exc)})") from None
    return frozenset(cmap)


def _font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [
        home / ".fonts",
        home / ".local/share/fonts",
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
    ]
    if sys.platform == "darwin":
        dirs += [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    if sys.platform == "win32":
        dirs.append(Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts")
    return [d for d in dirs if d.is_dir()]


@functools.lru_cache(maxsize=1)
def _installed_families() -> dict[str, dict[str, Path]]:
    families: dict[str, dict[str, Path]] = {}
    for directory in _font_dirs():
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() not in _FONT_SUFFIXES:
                continue
            try:
                family, style = ImageFont.truetype(str(path), 12).getname()
            except OSError:
                continue
            style_text = (style or "").lower()
            variant = _variant(
                "bold" if "bold" in style_text else "normal",
                "italic" in style_text or "oblique" in style_text,
            )
            families.setdefault((family or path.stem).lower(), {}).setdefault(variant, path)
    return families
