"""Every script drawn (docs/spec.md "Fonts and scripts"): text in each script renders through a
real spec with ink where it should be, complex scripts are shaped, bold Chinese is bold, and
what falls back is warned of, located.

The oracles are not the engine's code: which packaged font has a script is found here from the
fonts' own character maps, and what shaped and unshaped text looks like is drawn here with
Pillow directly (libraqm's layout and Pillow's basic one)."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont, features

from engine.pipeline import render_spec
from engine.resolve.fonts import fallback_fonts
from engine.resolve.text_layout import FontChain
from tests.conftest import SpecWriter
from tests.media import frame

SIZE = 30
ROW = 46
WIDTH = 360
INK = 100
#: (name, text) drawn one a row, in order.
SCRIPTS = [
    ("hindi", "नमस्ते दुनिया"),
    ("thai", "สวัสดีชาวโลก"),
    ("arabic", "مرحبا بالعالم"),
    ("hebrew", "שלום עולם"),
    ("bengali", "হ্যালো বিশ্ব"),
    ("tamil", "வணக்கம் உலகம்"),
    ("greek", "Καλημέρα κόσμε"),
    ("cyrillic", "Привет мир"),
    ("urdu", "شکریہ"),
    ("emoji", "🎉👍🚀"),
    ("chinese", "你好世界"),
    ("chinese-bold", "你好世界"),
]
needs_raqm = pytest.mark.skipif(not features.check("raqm"), reason="Pillow without libraqm")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


DEJAVU = _package_dir("matplotlib") / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"


def font_for(text: str) -> Path:
    """The first of DejaVu Sans and the packaged Noto fonts whose map has all of ``text``."""
    files = [DEJAVU, *sorted(_package_dir("manimgx_fonts").glob("*.ttf"))]
    wanted = {ord(c) for c in text if not c.isspace()}
    for path in files:
        if wanted <= set(TTFont(str(path), lazy=True).getBestCmap()):
            return path
    raise AssertionError(f"no packaged font has {text!r}")


def drawn_extent(text: str, font: Path, layout: ImageFont.Layout) -> int:
    """How wide Pillow inks ``text`` in ``font`` at SIZE with ``layout`` (wght 400)."""
    face = ImageFont.truetype(str(font), SIZE, layout_engine=layout)
    with contextlib.suppress(OSError):  # not a variable font
        face.set_variation_by_axes([400])
    canvas = Image.new("L", (WIDTH * 2, ROW * 2), 0)
    ImageDraw.Draw(canvas).text((10, ROW), text, font=face, fill=255, anchor="ls")
    columns = np.flatnonzero(np.asarray(canvas).max(axis=0) > INK)
    return int(columns[-1] - columns[0] + 1)


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """Each script's row of one rendered frame (grey levels)."""
    layers = "".join(
        f'      - {{type: text, text: "{text}", x: 10, y: {i * ROW + 4}, '
        f"style: {{size: {SIZE}{', weight: bold' if name.endswith('bold') else ''}}}}}\n"
        for i, (name, text) in enumerate(SCRIPTS)
    )
    folder = tmp_path_factory.mktemp("scripts")
    spec = folder / "spec.yaml"
    spec.write_text(
        "version: 1\n"
        f"output: {{path: out.mp4, size: {WIDTH}x{ROW * len(SCRIPTS)}, fps: 10,\n"
        "         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}\n"
        "scenes:\n  - duration: 0.1\n    background: '#000000'\n    layers:\n" + layers,
        encoding="utf-8",
    )
    picture = frame(render_spec(spec, write_manifest=False).output, 0).max(axis=2)
    return {name: picture[i * ROW : (i + 1) * ROW] for i, (name, _) in enumerate(SCRIPTS)}


def extent(row: np.ndarray) -> int:
    columns = np.flatnonzero(row.max(axis=0) > INK)
    return int(columns[-1] - columns[0] + 1) if columns.size else 0


@pytest.mark.parametrize("name", [name for name, _ in SCRIPTS])
def test_every_script_is_drawn(rows: dict[str, np.ndarray], name: str) -> None:
    row = rows[name]
    text = dict(SCRIPTS)[name]
    assert (row > INK).sum() > 40 * len(text.replace(" ", "")), "too little ink for the text"
    # Not a row of identical boxes: the ink differs from one glyph's cell to the next.
    assert extent(row) > SIZE * 0.8 * len(text.replace(" ", "")) * 0.35


@needs_raqm
@pytest.mark.parametrize("name", ["hindi", "arabic", "urdu"])
def test_complex_scripts_are_shaped(rows: dict[str, np.ndarray], name: str) -> None:
    """The drawn row is as wide as the text shaped as a whole (libraqm), not as wide as the
    same letters drawn one after another in their isolated forms (Pillow's basic layout)."""
    text = dict(SCRIPTS)[name]
    font = font_for(text)
    shaped = drawn_extent(text, font, ImageFont.Layout.RAQM)
    unshaped = drawn_extent(text, font, ImageFont.Layout.BASIC)
    seen = extent(rows[name])
    assert abs(seen - shaped) <= 3, (seen, shaped, unshaped)
    assert abs(seen - unshaped) > 6, (seen, shaped, unshaped)


def test_bold_chinese_is_bold(rows: dict[str, np.ndarray]) -> None:
    regular = (rows["chinese"] > INK).sum()
    bold = (rows["chinese-bold"] > INK).sum()
    assert bold > 1.3 * regular, (bold, regular)


def test_a_word_one_font_has_whole_is_drawn_by_it() -> None:
    """DejaVu Sans has most Arabic letters but not Urdu's ہ: the whole word goes to the font
    that has every letter of it, so it is joined as one word."""
    chain = FontChain((str(DEJAVU), *fallback_fonts()), SIZE)
    runs = chain.runs("Hi شکریہ ok")
    assert [text for text, _ in runs] == ["Hi ", "شکریہ ", "ok"]
    assert "Arabic" in chain.faces[runs[1][1]].label


LETTERS = st.sampled_from(list("abcdxyzनमसतदुअआकमرحباشکریہสวัดีกขשלוםαβγ你好世界"))


def _script(char: str) -> str:
    return unicodedata.name(char).split(" ")[0]


@functools.cache
def _maps() -> list[frozenset[int]]:
    cjk = sorted(_package_dir("manimgx_fonts_cjk").glob("*.tt[fc]"))
    files = [DEJAVU, *sorted(_package_dir("manimgx_fonts").glob("*.ttf")), *cjk]
    return [frozenset(TTFont(str(p), lazy=True, fontNumber=0).getBestCmap()) for p in files]


@given(st.lists(st.text(LETTERS, min_size=1, max_size=6), min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_runs_cover_the_line_and_keep_a_word_of_one_script_whole(words: list[str]) -> None:
    chain = FontChain((str(DEJAVU), *fallback_fonts()), SIZE)
    line = " ".join(words)
    runs = chain.runs(line)
    assert "".join(text for text, _ in runs) == line
    starts, position = set(), 0
    for text, _ in runs:
        starts.add(position)
        position += len(text)
    # No run starts inside a stretch of one script (Latin, Devanagari, Arabic...) that one
    # font has whole: it is drawn, and shaped, as one.
    position = 0
    for word in words:
        begin = 0
        for end in range(1, len(word) + 1):
            if end < len(word) and _script(word[end]) == _script(word[begin]):
                continue
            piece = word[begin:end]
            lead = len(piece) - len(piece.lstrip("".join(c for c in piece if _mark(c))))
            inner = piece[lead:]
            if len(inner) > 1 and any({ord(c) for c in inner} <= m for m in _maps()):
                cuts = {position + begin + lead + k for k in range(1, len(inner))}
                assert not cuts & starts, (line, runs)
            begin = end
        position += len(word) + 1


def _mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def validate(spec: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(spec)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fallbacks_are_warned_of_with_a_location(write_spec: SpecWriter) -> None:
    body = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10}
scenes:
  - duration: 0.5
    layers:
      - type: text
        text: "你好"
        style:
          font: serif
      - type: text
        text: "สวัสดี"
        style:
          italic: true
      - type: text
        text: "你好 plain"
        style: {weight: bold}
"""
    spec = write_spec(body)
    result = validate(spec)
    assert result.returncode == 0, result.stderr
    lines = body.splitlines()
    font_at = next(i for i, line in enumerate(lines, 1) if "font: serif" in line)
    italic_at = next(i for i, line in enumerate(lines, 1) if "italic: true" in line)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2, result.stderr
    serif, italic = warnings
    assert serif.startswith(f"warning: {spec}:{font_at}:")
    assert "scenes[0].layers[0].style.font" in serif and "'你好'" in serif
    assert "Noto Sans CJK" in serif and "serif" in serif
    assert italic.startswith(f"warning: {spec}:{italic_at}:")
    assert "scenes[0].layers[1].style.italic" in italic and "Noto Sans Thai" in italic
    # Bold Chinese has a bold face: nothing to warn of.
    assert "layers[2]" not in result.stderr


def test_render_prints_the_warnings_too(write_spec: SpecWriter) -> None:
    spec = write_spec(
        """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}
scenes:
  - duration: 0.2
    layers: [{type: text, text: "你好", style: {font: mono}}]
"""
    )
    result = subprocess.run(
        [sys.executable, "-m", "engine", "render", str(spec), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f"warning: {spec}:5:" in result.stderr
    assert "font 'mono' has no glyphs for '你好'" in result.stderr
