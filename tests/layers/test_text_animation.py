"""Animated text (``animate:`` on text layers and overlays), rendered and sampled.

Every expectation comes from docs/spec.md, computed here with Fractions and Pillow on its own:
frame k of a layer is time k / fps after it starts; a typewriter's i-th grapheme (from 0)
appears at ``delay + i / speed``, word i at ``delay + i × per_word``, line i moves from
``delay + i × stagger`` for ``duration``; motion follows the named easing curve (its formula
written out again below); the layout is the static card's, so where a revealed prefix's ink
lies is where Pillow draws that prefix alone from the line's start.

Videos are small (at most 320x180), at 10 fps, lossless 4:4:4 H.264, white text on black, so
ink is any pixel brighter than a threshold and colors come back within a few levels."""

from __future__ import annotations

import importlib.util
import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, features

from engine.errors import SpecError
from engine.farm.package import make_portable
from engine.farm.worker import render_chunk
from engine.pipeline import prepare, render_spec
from tests.conftest import SpecWriter
from tests.media import probe, run_ffmpeg

HEAD = """version: 1
output: {path: out.mp4, size: 320x90, fps: 10,
         video: {codec: h264, preset: ultrafast, crf: 0, pix_fmt: yuv444p}}
"""
INK = 60


def _font_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)), *parts)


DEJAVU = _font_file("matplotlib", "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")


def noto_cjk() -> Path:
    folder = _font_file("manimgx_fonts_cjk")
    return next(p for p in sorted(folder.iterdir()) if p.suffix.lower() in (".otf", ".ttf", ".ttc"))


def decode(path: Path) -> np.ndarray:
    """Every frame of ``path`` as RGB: (frames, height, width, 3)."""
    info = probe(path)
    assert info.width and info.height
    raw = run_ffmpeg("-i", str(path), "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    return np.frombuffer(raw, np.uint8).reshape(-1, info.height, info.width, 3)


def scene(layer: str, duration: float = 2, extra: str = "") -> str:
    return (
        f"scenes:\n  - duration: {duration}\n    layers:\n"
        f"      - {{type: color, color: black}}\n      - {layer}\n{extra}"
    )


def text_layer(
    text: str, animate: str, style: str = "size: 20", place: str = "x: 10, y: 20"
) -> str:
    return f'{{type: text, text: "{text}", style: {{{style}}}, {place}, animate: {animate}}}'


def render(write_spec: SpecWriter, body: str, name: str = "spec.yaml") -> np.ndarray:
    return decode(render_spec(write_spec(HEAD + body, name=name)).output)


def ink_columns(picture: np.ndarray) -> np.ndarray:
    return np.flatnonzero((picture.max(axis=2) if picture.ndim == 3 else picture).max(axis=0) > INK)


def pillow_columns(text: str, x: float, size: int, font: Path = DEJAVU) -> np.ndarray:
    """The columns Pillow inks drawing ``text`` alone from pen position ``x``."""
    canvas = Image.new("L", (640, 120), 0)
    ImageDraw.Draw(canvas).text(
        (x, 80), text, font=ImageFont.truetype(str(font), size), fill=255, anchor="ls"
    )
    return ink_columns(np.asarray(canvas))


def length(text: str, size: int, font: Path = DEJAVU) -> float:
    return float(ImageFont.truetype(str(font), size).getlength(text))


def ease_out_cubic(p: float) -> float:
    return 1 - (1 - p) ** 3


def ease_out_back(p: float) -> float:
    c1 = 1.70158
    return 1 + (c1 + 1) * (p - 1) ** 3 + c1 * (p - 1) ** 2


# -- typewriter ---------------------------------------------------------------------------------


def test_typewriter_shows_the_characters_due_at_each_frame(write_spec: SpecWriter) -> None:
    text = "Hello, reel spec"
    frames = render(
        write_spec, scene(text_layer(text, "{type: typewriter, speed: 10, delay: 0.3}"))
    )
    for k in range(len(frames)):
        t = Fraction(k, 10)
        due = (
            0 if t < Fraction(3, 10) else min(len(text), math.floor((t - Fraction(3, 10)) * 10) + 1)
        )
        seen = ink_columns(frames[k])
        expected = pillow_columns(text[:due], 10, 20)
        if not expected.size:
            assert not seen.size, (k, due)
            continue
        assert abs(seen[0] - expected[0]) <= 1 and abs(seen[-1] - expected[-1]) <= 1, (k, due)
    assert len(frames) == 20


def test_typewriter_cursor_follows_the_text_and_goes_when_done(write_spec: SpecWriter) -> None:
    text = "Type it"
    body = scene(text_layer(text, '{type: typewriter, duration: 0.7, cursor: "|"}'), duration=1.2)
    frames = render(write_spec, body)
    for k in range(12):
        due = min(7, k + 1)  # one grapheme every 0.1 s from 0
        typing = k < 7  # the cursor shows until the duration is over
        seen = ink_columns(frames[k])
        expected = pillow_columns(text[:due] + ("|" if typing else ""), 10, 20)
        assert abs(seen[-1] - expected[-1]) <= 1, (k, seen[-1], expected[-1])


def test_graphemes_stay_whole() -> None:
    from engine.resolve.graphemes import graphemes

    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    assert graphemes("e\u0301a") == ["e\u0301", "a"]
    assert graphemes(f"a{family}b") == ["a", family, "b"]
    assert graphemes("\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea") == [
        "\U0001f1eb\U0001f1f7",
        "\U0001f1e9\U0001f1ea",
    ]
    assert graphemes("\U0001f44d\U0001f3fd!") == ["\U0001f44d\U0001f3fd", "!"]
    assert graphemes("\u1112\u1161\u11ab\u1100") == ["\u1112\u1161\u11ab", "\u1100"]  # 한 + ㄱ
    assert graphemes("\u0915\u094d\u0937\u093f") == ["\u0915\u094d\u0937\u093f"]  # क्षि
    assert graphemes("a\r\nb") == ["a", "\r\n", "b"]
    assert "".join(graphemes("שָׁלוֹם 你好")) == "שָׁלוֹם 你好"


def test_a_typewriter_never_shows_half_a_grapheme(write_spec: SpecWriter) -> None:
    """Hebrew with points: each letter and its marks appear together."""
    spec = write_spec(HEAD + scene(text_layer("שָׁלוֹם", "{type: typewriter, speed: 10}")))
    layer = prepare(spec).resolved.scenes[0].layers[1]
    assert layer.sequence is not None
    assert layer.sequence.count == 4  # four graphemes: frames 0-3, then the last is held


# -- words --------------------------------------------------------------------------------------


def test_words_appear_exactly_when_due(write_spec: SpecWriter) -> None:
    text = "one two three four"
    animate = "{type: words, mode: appear, per_word: 0.3, delay: 0.2}"
    frames = render(write_spec, scene(text_layer(text, animate)))
    words = text.split(" ")
    for k in range(len(frames)):
        t = Fraction(k, 10)
        for i, word in enumerate(words):
            start = len(" ".join(words[:i])) + (1 if i else 0)
            left = 10 + length(text[:start], 20)
            right = 10 + length(text[: start + len(word)], 20)
            inside = frames[k][:, math.ceil(left) + 2 : math.floor(right) - 1]
            due = t >= Fraction(2, 10) + i * Fraction(3, 10)
            assert bool(ink_columns(inside).size) == due, (k, word)


def test_words_fade_in_over_their_fade(write_spec: SpecWriter) -> None:
    animate = "{type: words, mode: fade, per_word: 0.5, fade: 0.4, easing: linear}"
    frames = render(write_spec, scene(text_layer("Fading words", animate), duration=1.5))
    first = frames[:, :, : math.floor(10 + length("Fading", 20))]
    peaks = [int(first[k].max()) for k in range(6)]
    # Word 0 fades from 0 to full over 0.4 s: alpha k/4 at frame k.
    for k, peak in enumerate(peaks):
        assert abs(peak - 255 * min(1, k / 4)) <= 8, (k, peaks)


def test_words_rise_into_place(write_spec: SpecWriter) -> None:
    animate = "{type: words, mode: rise, per_word: 1, fade: 1, distance: 20}"
    frames = render(write_spec, scene(text_layer("HIGH", animate), duration=1.5))
    rest = np.flatnonzero(frames[-1].max(axis=(1, 2)) > 200)[0]
    for k in (3, 5, 8):
        rows = np.flatnonzero(frames[k].max(axis=(1, 2)) > INK)
        expected = rest + round(20 * (1 - ease_out_cubic(k / 10)))
        assert abs(rows[0] - expected) <= 1, (k, rows[0], expected)


# -- lines --------------------------------------------------------------------------------------


def top_row(picture: np.ndarray, below: int = -1) -> int:
    rows = np.flatnonzero(picture.max(axis=(1, 2)) > 200)
    return int(rows[rows > below][0])


def test_lines_slide_in_along_the_easing(write_spec: SpecWriter) -> None:
    animate = "{type: lines, from: down, distance: 30, duration: 1, stagger: 1, fade: false}"
    layer = text_layer("HHHH\\nHHHH", animate, place="x: 10, y: 5")
    frames = render(write_spec, scene(layer, duration=2.5), name="lines.yaml")
    final = frames[-1]
    first = top_row(final)
    second = top_row(final, below=first + 16)
    for k in range(1, 10):  # line 0 moves, line 1 has not started
        dy = round(30 * (1 - ease_out_cubic(k / 10)))
        assert top_row(frames[k]) == first + dy, k
        assert not (frames[k][second + 30 :].max() > INK) or dy > 0
    for k in range(11, 20):  # line 0 is in place, line 1 moves
        dy = round(30 * (1 - ease_out_cubic((k - 10) / 10)))
        assert top_row(frames[k]) == first, k
        assert top_row(frames[k], below=first + 16) == second + dy, k


def test_lines_from_the_left(write_spec: SpecWriter) -> None:
    animate = "{type: lines, from: left, distance: 40, duration: 1, fade: false}"
    frames = render(
        write_spec, scene(text_layer("HHHH", animate, place="x: 60, y: 20"), duration=1.2)
    )
    rest = ink_columns(frames[-1])[0]
    for k in (1, 4, 7):
        dx = round(40 * (1 - ease_out_cubic(k / 10)))
        assert ink_columns(frames[k])[0] == rest - dx, k


# -- pop ----------------------------------------------------------------------------------------


def red_box(picture: np.ndarray) -> tuple[int, int]:
    red = (picture[..., 0] > 150) & (picture[..., 1] < 90) & (picture[..., 2] < 90)
    cols, rows = np.flatnonzero(red.any(axis=0)), np.flatnonzero(red.any(axis=1))
    return (int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)) if cols.size else (0, 0)


def test_pop_grows_the_card_with_an_overshoot(write_spec: SpecWriter) -> None:
    style = 'size: 16, box: {color: "#ff0000", padding: 8}'
    layer = text_layer("Pop", "{type: pop, duration: 1}", style=style, place="position: center")
    frames = render(write_spec, scene(layer, duration=1.5))
    width, height = red_box(frames[-1])
    assert red_box(frames[0]) == (0, 0)
    for k in (2, 4, 6, 8, 10):
        s = ease_out_back(k / 10)
        got = red_box(frames[k])
        assert abs(got[0] - width * s) <= 2 and abs(got[1] - height * s) <= 2, (k, got, s)
    assert red_box(frames[6])[0] > width + 2  # past full size on the way


# -- highlight ----------------------------------------------------------------------------------


def test_a_highlight_band_sweeps_across_the_words(write_spec: SpecWriter) -> None:
    layer = (
        '{type: text, text: "mark this word", highlights: ["this word"], style: {size: 20}, '
        'x: 10, y: 20, animate: {type: highlight, duration: 1, color: "#00ff00", easing: linear}}'
    )
    frames = render(write_spec, scene(layer, duration=1.2))
    green = (frames[..., 1] > 150) & (frames[..., 0] < 100) & (frames[..., 2] < 100)
    row = int(np.flatnonzero(green[-1].any(axis=1))[-1])  # the band's lowest row: no ink there
    left = 10 + length("mark ", 20)
    width = length("this word", 20)
    assert not green[0].any()
    for k in range(1, 12):
        front = left + width * min(1, k / 10)
        line = green[k, row]
        assert line[math.ceil(left) + 1 : math.floor(front) - 1].all(), k
        assert not line[math.ceil(front) + 2 :].any(), k
        assert not line[: math.floor(left) - 1].any(), k


def test_a_recolor_sweep_changes_the_words_color(write_spec: SpecWriter) -> None:
    layer = (
        '{type: text, text: "mark this word", highlights: ["this word"], style: {size: 20}, '
        'x: 10, y: 20, animate: {type: highlight, mode: recolor, duration: 1, color: "#ff0000"}}'
    )
    frames = render(write_spec, scene(layer, duration=1.2))
    red = (frames[..., 0] > 150) & (frames[..., 1] < 90)
    white = frames.min(axis=3) > 150
    left = math.floor(10 + length("mark ", 20))
    assert not red[0].any() and white[0][:, left:].any()
    assert red[-1][:, left:].any() and not white[-1][:, left + 2 :].any()
    assert white[-1][:, :left].any() and not red[-1][:, :left].any()  # "mark" stays white


# -- scripts ------------------------------------------------------------------------------------


def test_cjk_typewriter_and_words(write_spec: SpecWriter) -> None:
    text = "你好世界"
    advance = length("你", 20, noto_cjk())
    for animate, due in (
        ("{type: typewriter, speed: 5}", lambda k: k // 2 + 1),
        ("{type: words, mode: appear, per_word: 0.2}", lambda k: k // 2 + 1),
    ):
        frames = render(write_spec, scene(text_layer(text, animate), duration=1), name="cjk.yaml")
        for k in range(10):
            for i in range(4):
                cell = frames[k][:, round(10 + i * advance) + 2 : round(10 + (i + 1) * advance) - 2]
                assert bool(ink_columns(cell).size) == (i < min(4, due(k))), (animate, k, i)


@pytest.mark.skipif(not features.check("raqm"), reason="right-to-left layout needs libraqm")
def test_hebrew_types_from_the_right(write_spec: SpecWriter) -> None:
    text = "שלום עולם"
    frames = render(
        write_spec, scene(text_layer(text, "{type: typewriter, duration: 0.9}"), duration=1.2)
    )
    full = length(text, 20)
    right_edge = ink_columns(frames[-1])[-1]
    for k in range(9):
        prefix = text[: k + 1]
        expected = pillow_columns(prefix, 10 + full - length(prefix, 20), 20)
        seen = ink_columns(frames[k])
        if not expected.size:
            continue
        assert abs(seen[0] - expected[0]) <= 2, (k, seen[0], expected[0])
        assert abs(seen[-1] - right_edge) <= 1, k


@pytest.mark.skipif(not features.check("raqm"), reason="right-to-left layout needs libraqm")
def test_arabic_words_come_from_the_right(write_spec: SpecWriter) -> None:
    text = "مرحبا بالعالم"
    animate = "{type: words, mode: appear, per_word: 0.5}"
    frames = render(write_spec, scene(text_layer(text, animate), duration=1))
    boundary = 10 + length(text, 20) - length("مرحبا ", 20)
    for k in range(10):
        left_part = ink_columns(frames[k][:, : math.floor(boundary) - 1])
        assert bool(left_part.size) == (k >= 5), k
        assert ink_columns(frames[k][:, math.ceil(boundary) + 2 :]).size, k


# -- the whole ----------------------------------------------------------------------------------


def test_the_last_picture_is_the_static_card(write_spec: SpecWriter) -> None:
    style = (
        'size: 18, color: "#ffee88", stroke: {width: 2, color: "#3030ff"}, '
        'shadow: {offset: [3, 2], blur: 2}, box: {color: "#404040", padding: 6, radius: 5}'
    )
    static = render(
        write_spec, scene(f'{{type: text, text: "Two lines\\nof text", style: {{{style}}}}}')
    )
    for animate in ("typewriter", "{type: words, mode: rise}", "lines", "pop"):
        layer = (
            f'{{type: text, text: "Two lines\\nof text", style: {{{style}}}, animate: {animate}}}'
        )
        frames = render(write_spec, scene(layer), name="anim.yaml")
        diff = np.abs(frames[-1].astype(int) - static[-1].astype(int))
        assert int(diff.max()) <= 3, animate


def test_identical_pictures_are_drawn_once(write_spec: SpecWriter) -> None:
    spec = write_spec(
        HEAD + scene(text_layer("Hi there", "{type: typewriter, speed: 10, delay: 0.3}"))
    )
    sequence = prepare(spec).resolved.scenes[0].layers[1].sequence
    assert sequence is not None
    files = sequence.files()
    assert len(files) == 3 + 8  # three empty frames, then one a grapheme; the last is held
    inodes = [os.stat(f).st_ino for f in files]
    assert inodes[0] == inodes[1] == inodes[2] and len(set(inodes)) == 9


def test_an_overlay_animates_from_its_own_start(write_spec: SpecWriter) -> None:
    body = scene("{type: color, color: black}", duration=2) + (
        'overlays:\n  - {type: text, text: "Over", x: 10, y: 20, style: {size: 20}, '
        "start: 0.5, animate: {type: typewriter, speed: 10}}\n"
    )
    frames = render(write_spec, body)
    for k in range(12):
        due = 0 if k < 5 else min(4, k - 4)
        expected = pillow_columns("Over"[:due], 10, 20)
        seen = ink_columns(frames[k])
        assert seen.size == 0 if not expected.size else abs(seen[-1] - expected[-1]) <= 1, k


def test_farm_chunks_show_the_same_frames(write_spec: SpecWriter) -> None:
    """A worker gets the pictures shipped (the layer's ``moved``) and renders a window that
    starts in the middle of the animation."""
    layer = text_layer("Farm text", "{type: words, mode: rise, per_word: 0.2}")
    overlay = (
        'overlays:\n  - {type: text, text: "Over", position: top, style: {size: 16}, '
        "start: 0.3, animate: pop}\n"
    )
    spec = write_spec(HEAD + scene(layer, duration=2) + overlay)
    whole = decode(render_spec(spec).output)
    portable = make_portable(prepare(spec).resolved)
    assert any("/" in name and name.startswith("s/") for name in portable.files)
    blobs = {name: path.read_bytes() for name, path in portable.files.items()}
    chunk = render_chunk(portable.resolved, (5, 12), blobs)
    out = write_spec("", name="chunk.mp4")
    out.write_bytes(chunk.data)
    part = decode(out)
    assert len(part) == 7
    assert int(np.abs(part.astype(int) - whole[5:12].astype(int)).max()) <= 3


# -- errors and limits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("animate", "where", "says"),
    [
        ("typewrite", "animate.type", "did you mean 'typewriter'"),
        ("{type: typewriter, speed: 10, duration: 2}", "animate", "not both"),
        ("{type: words, per_word: 1, duration: 3}", "animate", "not both"),
        ("{type: lines, from: diagonal}", "animate.from", "up, down, left, right"),
        ("{type: pop, easing: ease-out-bounce}", "animate.easing", "ease-out-back"),
        ("{type: pop, scale: 1.5}", "animate.scale", "less than 1"),
        ("{type: highlight, mode: colour}", "animate.mode", "recolor"),
        ("{type: typewriter, speeed: 3}", "animate.speeed", "did you mean 'speed'"),
        ("{type: words, distance: -4}", "animate.distance", "greater than or equal to 0"),
        ('{type: typewriter, cursor: "  "}', "animate.cursor", "printable"),
    ],
)
def test_bad_options_are_located(
    write_spec: SpecWriter, animate: str, where: str, says: str
) -> None:
    spec = write_spec(HEAD + scene(text_layer("Hi", animate)))
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    message = str(caught.value)
    assert f"scenes[0].layers[1].{where}:" in message and says in message, message
    assert "spec.yaml:" in message and "Traceback" not in message


def test_a_cursor_no_font_has_is_located(write_spec: SpecWriter) -> None:
    # An Egyptian hieroglyph: printable, and in none of the fonts.
    cursor = '{type: typewriter, cursor: "\\U00013000"}'
    body = scene("{type: color, color: black}") + (
        f'overlays:\n  - {{type: text, text: "Hi", animate: {cursor}}}\n'
    )
    with pytest.raises(SpecError) as caught:
        prepare(write_spec(HEAD + body))
    assert "overlays[0].animate.cursor:" in str(caught.value)
    assert "no font can draw" in str(caught.value)


def test_the_frame_and_pixel_limits(
    write_spec: SpecWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(
        HEAD + scene(text_layer("A long line of text", "{type: typewriter, speed: 5}"))
    )
    monkeypatch.setenv("REELSPEC_MAX_ANIMATED_FRAMES", "30")
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    message = str(caught.value)
    assert "scenes[0].layers[1].animate:" in message and "REELSPEC_MAX_ANIMATED_FRAMES" in message
    assert "39 frames" in message  # 19 graphemes at 5 a second: 3.8 s, frames 0 to 38
    monkeypatch.setenv("REELSPEC_MAX_ANIMATED_FRAMES", "1000")
    monkeypatch.setenv("REELSPEC_MAX_ANIMATED_PIXELS", "20000")
    with pytest.raises(SpecError) as caught:
        prepare(spec)
    assert "REELSPEC_MAX_ANIMATED_PIXELS" in str(caught.value)
    monkeypatch.delenv("REELSPEC_MAX_ANIMATED_PIXELS")
    assert prepare(spec).resolved.scenes[0].layers[1].sequence is not None
