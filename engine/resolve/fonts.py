"""Turning a font name from a spec into a face to draw with, and the faces tried after it.

``sans``, ``serif`` and ``mono`` are the DejaVu families that ship inside the matplotlib wheel
(see docs/decisions/0002-fonts.md), so the defaults work on a fresh machine with no system fonts.
Other names are looked up among installed fonts by family name; a path is used as given.

The fallbacks come from wheels too (docs/decisions/0012-fonts-for-every-script.md): DejaVu Sans,
then Noto Sans for the scripts DejaVu lacks (Devanagari, Bengali, Tamil, Thai, ...), Noto Sans
Symbols and Noto Emoji (from ``manimgx-fonts``), then Noto Sans CJK (``manimgx-fonts-cjk``).
Those are variable fonts: a face carries the weight it is drawn at, so bold text is bold in
every script.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from engine.errors import MediaError, excerpt

#: Values of a variable font's weight axis for the two weights a spec can ask for.
WEIGHTS = {"normal": 400, "bold": 700}


@dataclass(frozen=True)
class Face:
    """One face text is drawn with: a font file, the font's index in a collection, the value
    of its weight axis when it is a variable font (None: the file as it is), and what it
    draws, for the warnings a fallback earns: its name, its kind (``sans``, ``serif``,
    ``mono`` or ``other``), and whether it is bold and italic."""

    path: str
    index: int = 0
    weight: int | None = None
    name: str = ""
    kind: str = "other"
    bold: bool = False
    italic: bool = False

    @property
    def label(self) -> str:
        return self.name or Path(self.path).name


def open_face(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """``face`` at ``size`` pixels, its weight axis set."""
    font = ImageFont.truetype(face.path, size=size, index=face.index)
    axes = _axes(face.path, face.index)
    if face.weight is not None and axes:
        values = [_clamp(face.weight, a) if a[0] == "wght" else a[2] for a in axes]
        font.set_variation_by_axes(values)
    return font


def _clamp(value: float, axis: tuple[str, float, float, float]) -> float:
    return min(max(value, axis[1]), axis[3])


@functools.lru_cache(maxsize=128)
def _axes(path: str, index: int) -> tuple[tuple[str, float, float, float], ...]:
    """A variable font's axes in order: (tag, minimum, default, maximum)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        if "fvar" not in font:
            return ()
        return tuple((a.axisTag, a.minValue, a.defaultValue, a.maxValue) for a in font["fvar"].axes)
    except Exception as exc:  # as in coverage(): a corrupt file fails in many ways
        raise MediaError(f"not a readable font file: {path} ({_reason(exc)})") from None


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
    return Path(resolve_face(name, weight, italic, base_dir).path)


def resolve_face(name: str, weight: str, italic: bool, base_dir: Path) -> Face:
    """The face for ``name`` in the given weight and slant, saying whether it really is bold
    and italic (an installed family or a file may have no such face); MediaError names what
    is missing."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key in _BUILTIN:
        stem, variants = _BUILTIN[key]
        path = _builtin_dir() / f"{stem}{variants[_variant(weight, italic)]}.ttf"
        if not path.is_file():
            raise MediaError(f"built-in font file missing: {path}")
        label = {"sans": "DejaVu Sans", "serif": "DejaVu Serif", "mono": "DejaVu Sans Mono"}
        return Face(str(path), name=label[key], kind=key, bold=weight == "bold", italic=italic)
    if name.lower().endswith(_FONT_SUFFIXES) or "/" in name or os.sep in name:
        path = (base_dir / name).expanduser()
        if not _is_file(path):
            raise MediaError(f"font file not found: {path}")
        check_font_file(path)
        return face_of(path, weight)
    installed = _installed_families()
    candidates = installed.get(name.strip().lower())
    if not candidates:
        known = ", ".join(["sans", "serif", "mono", *sorted(installed)[:20]])
        raise MediaError(f"font family {excerpt(name)} not found; known families include: {known}")
    wanted = _variant(weight, italic)
    found = candidates.get(wanted) or candidates.get("normal") or next(iter(candidates.values()))
    return face_of(found, weight)


def face_of(path: Path, weight: str) -> Face:
    """The face of a font file drawn at ``weight``: a variable font is set on its weight
    axis; another is as bold and italic as its tables say."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
        names = font["name"]
        label = str(names.getDebugName(4) or names.getDebugName(1) or path.name)
        os2 = font.get("OS/2")
        bold_class = bool(os2 and os2.usWeightClass >= 600)
        italic = bool(os2 and os2.fsSelection & 1) or bool(font["head"].macStyle & 2)
    except Exception as exc:  # as in coverage()
        raise MediaError(f"not a readable font file: {path} ({_reason(exc)})") from None
    if any(axis[0] == "wght" for axis in _axes(str(path), 0)):
        wanted = WEIGHTS.get(weight, 400)
        top = max(a[3] for a in _axes(str(path), 0) if a[0] == "wght")
        return Face(str(path), weight=wanted, name=label, bold=min(wanted, top) >= 600)
    return Face(str(path), name=label, bold=bold_class, italic=italic)


def fallback_fonts(weight: str = "normal", italic: bool = False) -> tuple[Face, ...]:
    """Faces tried, in order, for characters the chosen font lacks, at ``weight``: DejaVu
    Sans (in the slant asked for) for symbols and the scripts it has, Noto Sans for the
    scripts it lacks, Noto Sans Symbols, Noto Emoji (drawn in the text's colour), then Noto
    Sans CJK (its simplified Chinese face; it has Japanese and Korean too)."""
    return _fallbacks(weight if weight in WEIGHTS else "normal", italic)


@functools.lru_cache(maxsize=8)
def _fallbacks(weight: str, italic: bool) -> tuple[Face, ...]:
    wght, bold = WEIGHTS[weight], weight == "bold"
    faces = [resolve_face("sans", weight, italic, Path("."))]
    scripts = _package_fonts("manimgx_fonts")
    # Noto Sans itself and its italic add no script DejaVu lacks; Emoji after Symbols.
    ordered = sorted(
        (p for p in scripts if not p.name.startswith(("NotoSans[", "NotoSans-"))),
        key=lambda p: (p.name.startswith("NotoEmoji"), p.name.startswith("NotoSansSymbols"), p),
    )
    faces += [Face(str(p), weight=wght, name=_label(p), kind="sans", bold=bold) for p in ordered]
    for path in _package_fonts("manimgx_fonts_cjk"):
        index, label = _chinese_face(str(path))
        faces.append(Face(str(path), index, wght, label, "sans", bold))
    return tuple(faces)


def _package_fonts(package: str) -> list[Path]:
    """The font files of an installed package (none when it is not installed)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted(p for p in folder.iterdir() if p.name.lower().endswith(_FONT_SUFFIXES))


def _label(path: Path) -> str:
    """``NotoSansDevanagari[wght].ttf`` → ``Noto Sans Devanagari``."""
    stem = re.sub(r"\[.*?\]", "", path.stem)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)


@functools.lru_cache(maxsize=4)
def _chinese_face(path: str) -> tuple[int, str]:
    """The simplified Chinese face of a CJK collection (index, name); else its first."""
    from fontTools.ttLib import TTCollection

    if not path.lower().endswith(".ttc"):
        return 0, _label(Path(path))
    names = [str(f["name"].getDebugName(1)) for f in TTCollection(path, lazy=True).fonts]
    index = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
    return index, names[index] if names else Path(path).name


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


@functools.lru_cache(maxsize=128)
def coverage(path: str, index: int = 0) -> frozenset[int]:
    """The code points a font file (the ``index``-th font of a collection) has glyphs for."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
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
