from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.resolve.fonts import fallback_fonts, resolve_font
from engine.resolve.text_card import (
    BUILTIN_STYLE,
    FontChain,
    draw_text,
    merge_styles,
    resolve_style,
    text_card,
    wrap,
)
from engine.spec.common import Box, TextStyle


def sans(size: int = 32) -> FontChain:
    primary = resolve_font("sans", "normal", False, Path("."))
    return FontChain((str(primary), *fallback_fonts()), size)


def test_builtin_families_resolve_to_real_files() -> None:
    for family in ("sans", "serif", "mono"):
        for weight, italic in (("normal", False), ("bold", True)):
            assert resolve_font(family, weight, italic, Path(".")).is_file()


def test_latin_wraps_between_words() -> None:
    lines = wrap("the quick brown fox jumps over the lazy dog", sans(), 200)
    assert len(lines) > 1
    assert all(sans().length(line) <= 200 for line in lines)
    assert " ".join(lines) == "the quick brown fox jumps over the lazy dog"


def test_explicit_newlines_and_overlong_words() -> None:
    assert wrap("a\nb", sans(), 500) == ["a", "b"]
    long_word = "x" * 80
    lines = wrap(long_word, sans(), 150)
    assert "".join(lines) == long_word and all(sans().length(ln) <= 150 for ln in lines)


def test_cjk_breaks_between_characters() -> None:
    text = "欢迎观看我们的新产品介绍视频"
    lines = wrap(text, sans(), 100)
    assert "".join(lines) == text and len(lines) > 1


def test_styles_merge_later_wins() -> None:
    merged = merge_styles(BUILTIN_STYLE, TextStyle(size=10, color="red"), TextStyle(size=20))
    assert merged.size == 20 and merged.color == "#ff0000" and merged.font == "sans"


def test_box_padding_and_alignment_change_the_card() -> None:
    font = resolve_font("sans", "normal", False, Path("."))
    plain = resolve_style(merge_styles(BUILTIN_STYLE, TextStyle(size=30)), font, 640)
    boxed = resolve_style(
        merge_styles(BUILTIN_STYLE, TextStyle(size=30, box=Box(color="#ff0000", padding=10))),
        font,
        640,
    )
    a, b = draw_text("Hi", plain), draw_text("Hi", boxed)
    assert b.size == (a.size[0] + 20, a.size[1] + 20)
    corner = np.asarray(b)[1, 1]
    assert tuple(corner) == (255, 0, 0, 255)  # the box reaches the corner
    assert np.asarray(a)[0, 0][3] == 0  # transparent outside the glyphs


def test_cards_are_cached_by_content() -> None:
    font = resolve_font("sans", "normal", False, Path("."))
    style = resolve_style(merge_styles(BUILTIN_STYLE, TextStyle(size=24)), font, 320)
    first, size = text_card("cache me", style)
    mtime = first.stat().st_mtime_ns
    again, _ = text_card("cache me", style)
    other, _ = text_card("something else", style)
    assert again == first and again.stat().st_mtime_ns == mtime
    assert other != first and size[0] > 0


def test_cjk_falls_back_to_a_font_that_has_it() -> None:
    chain = sans()
    runs = chain.runs("Hello 欢迎!")
    assert [text for text, _ in runs] == ["Hello ", "欢迎", "!"]
    assert runs[0][1] == runs[2][1] == 0 and runs[1][1] > 0
    assert "NotoSansCJK" in chain.files[runs[1][1]]
    assert chain.missing("欢迎观看我们的新产品介绍视频。") == []
    assert chain.missing("snow ⛄") == []  # Noto Emoji has it
    assert chain.missing("ankh \U00013000") == ["\U00013000"]  # an Egyptian hieroglyph


def test_cjk_card_is_not_tofu() -> None:
    """Drawn with a font that lacks them, different characters give the same box ("tofu");
    drawn through the fallback chain, each has its own shape."""
    primary = resolve_font("sans", "normal", False, Path("."))
    base = merge_styles(BUILTIN_STYLE, TextStyle(size=40))
    with_fallback = resolve_style(base, primary, 1280, fallback_fonts())
    without = resolve_style(base, primary, 1280)

    def alpha(text: str, style: object) -> np.ndarray:
        return np.asarray(draw_text(text, style))[..., 3] > 0  # type: ignore[arg-type]

    assert np.array_equal(alpha("欢", without), alpha("迎", without))  # the known tofu box
    good_a, good_b = alpha("欢", with_fallback), alpha("迎", with_fallback)
    assert good_a.shape != good_b.shape or not np.array_equal(good_a, good_b)
    tofu = alpha("欢", without)
    assert good_a.shape != tofu.shape or not np.array_equal(good_a, tofu)


def test_highlighted_words_take_the_highlight_color() -> None:
    primary = resolve_font("sans", "bold", False, Path("."))
    style = resolve_style(
        merge_styles(BUILTIN_STYLE, TextStyle(size=40, color="#ffffff", highlight="#ff0000")),
        primary,
        1280,
        fallback_fonts(),
    )
    pixels = np.asarray(draw_text("plain camera plain", style, ("camera",)))
    opaque = pixels[..., 3] == 255
    red = opaque & (pixels[..., 0] > 200) & (pixels[..., 1] < 60)
    white = opaque & (pixels[..., 1] > 200)
    columns_red = np.nonzero(red.any(axis=0))[0]
    columns_white = np.nonzero(white.any(axis=0))[0]
    assert red.sum() > 100 and white.sum() > 100
    # "camera" sits between the two white words.
    assert columns_white.min() < columns_red.min() and columns_red.max() < columns_white.max()
    # A phrase inside a longer Latin word is not highlighted.
    longer = np.asarray(draw_text("cameras", style, ("camera",)))
    assert not ((longer[..., 0] > 200) & (longer[..., 1] < 60)).any()


def test_an_unbreakable_word_wraps_in_near_linear_time() -> None:
    import time

    chain = sans(48)
    for length in (2000, 5000):
        word = "x" * length
        started = time.monotonic()
        lines = wrap(word, chain, 1728)
        assert time.monotonic() - started < 2.0
        assert "".join(lines) == word
        assert all(chain.length(line) <= 1728 for line in lines)
        # Greedy: every line but the last is as long as fits.
        assert all(chain.length(line + "x") > 1728 for line in lines[:-1])


def test_cards_over_the_pixel_limit_are_refused(monkeypatch) -> None:
    import pytest

    from engine.errors import MediaError

    font = resolve_font("sans", "normal", False, Path("."))
    style = resolve_style(merge_styles(BUILTIN_STYLE, TextStyle(size=460)), font, 320)
    with pytest.raises(MediaError, match="REELSPEC_MAX_CARD_PIXELS"):
        draw_text("W" * 400, style)
    # A card may be at most four times the frame it is drawn for (at least 4 megapixels).
    assert draw_text("a b c d", style, frame=(64, 36)).size[0] > 64
    with pytest.raises(MediaError, match=r"\(four times the 1280x720 frame, at least"):
        draw_text("W" * 60, style, frame=(1280, 720))
    monkeypatch.setenv("REELSPEC_MAX_CARD_PIXELS", "1000")
    small = resolve_style(merge_styles(BUILTIN_STYLE, TextStyle(size=40)), font, 320)
    with pytest.raises(MediaError, match="over the limit of 1,000 pixels"):
        draw_text("hello", small)


def test_a_file_that_is_not_a_font_is_refused(tmp_path) -> None:
    import pytest

    from engine.errors import MediaError

    (tmp_path / "fake.ttf").write_bytes(b"\x00\x01\x00\x00" + b"junk" * 100)
    with pytest.raises(MediaError, match="not a readable font file"):
        resolve_font("fake.ttf", "normal", False, tmp_path)


def test_paragraph_separators_break_lines_instead_of_failing_the_layout() -> None:
    # \r, \x1c-\x1e, \x85 and \u2029 end a bidi paragraph: inside a line Pillow's layout fails.
    font = resolve_font("sans", "normal", False, Path("."))
    style = resolve_style(merge_styles(BUILTIN_STYLE, TextStyle(size=20)), font, 640)
    one = draw_text("a", style).size[1]
    for text in ("a\rb", "a\r\nb", "a\x1cb", "a\x1db", "a\x1eb", "a\x85b", "a\u2029b"):
        assert draw_text(text, style).size[1] > one, repr(text)
    assert draw_text("", style).size == (1, draw_text("", style).size[1])
