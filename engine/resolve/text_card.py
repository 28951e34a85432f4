"""Drawing text into a transparent PNG with Pillow.

All text that reaches a frame goes through here, so no user text ever appears inside ffmpeg
filter-graph syntax: quotes, colons, ``%{...}``, emoji and CJK are just pixels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from engine.cache import cached_file, content_key, digest_of
from engine.errors import MediaError
from engine.resolve.fonts import coverage
from engine.resolve.limits import max_card_pixels
from engine.spec.common import Box, Shadow, Stroke, TextStyle, color_rgba

BUILTIN_STYLE = TextStyle(
    font="sans",
    size=48,
    color="#ffffff",
    weight="normal",
    italic=False,
    align="center",
    max_width=0.9,
    line_spacing=1.2,
)


@dataclass(frozen=True)
class ResolvedTextStyle:
    #: The chosen font first, then the fallbacks tried for characters it lacks.
    font_files: tuple[str, ...]
    size: float
    color: str
    align: str
    max_width_px: int
    line_spacing: float
    stroke: Stroke | None
    shadow: Shadow | None
    box: Box | None
    highlight: str | None = None


def merge_styles(*styles: TextStyle) -> TextStyle:
    """Later styles override earlier ones field by field; unset fields fall through."""
    merged: dict[str, object] = {}
    for style in styles:
        merged.update({k: v for k, v in style if v is not None})
    return TextStyle(**merged)


def resolve_style(
    style: TextStyle, font_file: Path, frame_width: int, fallbacks: tuple[Path, ...] = ()
) -> ResolvedTextStyle:
    assert style.size is not None and style.color is not None and style.max_width is not None
    max_width = style.max_width
    max_px = round(max_width * frame_width) if max_width <= 1 else int(max_width)
    return ResolvedTextStyle(
        font_files=tuple(dict.fromkeys([str(font_file), *(str(p) for p in fallbacks)])),
        size=float(style.size),
        color=style.color,
        align=style.align or "center",
        max_width_px=max(1, max_px),
        line_spacing=float(style.line_spacing or 1.2),
        stroke=style.stroke,
        shadow=style.shadow,
        box=style.box,
        highlight=style.highlight,
    )


# --- wrapping ---------------------------------------------------------------------------------


def _breaks_anywhere(char: str) -> bool:
    """CJK ideographs, kana and full-width forms may break between any two characters."""
    if not char:
        return False
    name = unicodedata.name(char, "")
    return unicodedata.east_asian_width(char) in ("W", "F") or name.startswith("CJK")


def _tokens(line: str) -> list[str]:
    """Split a line into unbreakable pieces: Latin words, single CJK characters, spaces."""
    tokens: list[str] = []
    word = ""
    for char in line:
        if char.isspace() or _breaks_anywhere(char):
            if word:
                tokens.append(word)
                word = ""
            if char.isspace() and tokens and tokens[-1].isspace():
                tokens[-1] += char
            else:
                tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


class FontChain:
    """A font and its fallbacks at one size: each character is drawn with the first font in
    the chain that has a glyph for it."""

    def __init__(self, files: tuple[str, ...], size: float) -> None:
        self.files = files
        self.size = max(1, round(size))
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        #: Characters drawn with the first font (or riding along): a line made only of them
        #: is one run, measured by one call into FreeType with no per-character Python work.
        self._first: set[str] = set()
        #: Each character's font (None: it rides along with its neighbours, or none has it).
        self._index: dict[str, int | None] = {}
        #: Widths of runs already measured, and the last line measured with its runs (start,
        #: font, width): wrapping measures a line again and again as it grows, and only the
        #: part from its last run on is new.
        self._widths: dict[tuple[int, str], float] = {}
        self._last: tuple[str, list[tuple[int, int, float]]] = ("", [])  # see _mixed_length

    def font(self, index: int) -> ImageFont.FreeTypeFont:
        if index not in self._fonts:
            self._fonts[index] = ImageFont.truetype(self.files[index], size=self.size)
        return self._fonts[index]

    def index_for(self, char: str) -> int | None:
        code = ord(char)
        for index, path in enumerate(self.files):
            if code in coverage(path):
                return index
        return None

    def _char_index(self, char: str) -> int | None:
        if char not in self._index:
            self._index[char] = None if _rides_along(char) else self.index_for(char)
        return self._index[char]

    def runs(self, line: str) -> list[tuple[str, int]]:
        """``line`` cut into pieces that one font draws; spaces and marks go with the text
        around them. (Runs are sliced, not grown a character at a time: that was quadratic
        in a run's length.)"""
        bounds = self._run_starts(line, 0)
        if not bounds:
            return []
        ends = [start for start, _ in bounds[1:]] + [len(line)]
        return [(line[start:end], index) for (start, index), end in zip(bounds, ends, strict=True)]

    def _run_starts(self, line: str, begin: int) -> list[tuple[int, int]]:
        """(start, font) of each run of ``line`` from ``begin``, which starts a run."""
        out: list[tuple[int, int]] = []
        current = -1
        for position in range(begin, len(line)):
            index = self._char_index(line[position])
            if index is None:
                index = current if current >= 0 else 0
            if index != current:
                out.append((position, index))
                current = index
        return out

    def length(self, line: str) -> float:
        chars = set(line)
        if not chars <= self._first:
            self._first.update(
                c for c in chars - self._first if _rides_along(c) or self.index_for(c) == 0
            )
            if not chars <= self._first:
                return self._mixed_length(line)
        return self.font(0).getlength(line) if line else 0.0

    def _mixed_length(self, line: str) -> float:
        """The width of a line several fonts draw: the sum of its runs' widths. A line that
        extends the last one measured is segmented and measured only from that line's last
        run on, so growing a line token by token stays linear."""
        if len(self._widths) > 100_000:
            self._widths.clear()
        previous, measured = self._last
        runs: list[tuple[int, int, float]] = []  # (start, font, width of the line up to its end)
        begin = 0
        if measured and line.startswith(previous):
            runs, begin = measured[:-1], measured[-1][0]
        total = runs[-1][2] if runs else 0.0
        starts = self._run_starts(line, begin)
        ends = [start for start, _ in starts[1:]] + [len(line)]
        for (start, index), end in zip(starts, ends, strict=True):
            key = (index, line[start:end])
            if key not in self._widths:
                self._widths[key] = self.font(index).getlength(key[1])
            total += self._widths[key]
            runs.append((start, index, total))
        self._last = (line, runs)
        return total

    def metrics(self, text: str) -> tuple[int, int]:
        """Largest ascent and descent among the fonts ``text`` uses."""
        used = {index for line in text.split("\n") for _, index in self.runs(line)} or {0}
        pairs = [self.font(index).getmetrics() for index in sorted(used)]
        return max(a for a, _ in pairs), max(d for _, d in pairs)

    def missing(self, text: str) -> list[str]:
        """Characters no font in the chain can draw."""
        return sorted({c for c in text if not _rides_along(c) and self.index_for(c) is None})


def _rides_along(char: str) -> bool:
    """Whitespace, joiners, variation selectors and combining marks need no glyph of their
    own font: they are drawn with the characters beside them."""
    return char.isspace() or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc")


def wrap(text: str, chain: FontChain, max_width: int) -> list[str]:
    """Greedy wrapping: Latin breaks between words, CJK between characters, a word longer than
    the line is cut between characters. Explicit newlines are kept."""
    lines: list[str] = []

    def fits(candidate: str) -> bool:
        return chain.length(candidate.rstrip()) <= max_width

    for paragraph in text.split("\n"):
        current = ""
        for token in _tokens(paragraph):
            if fits(current + token):
                current += token
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = "" if token.isspace() else token
            while len(current) > 1:
                cut = _longest_fit(current, fits)
                if cut >= len(current):
                    break
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current.rstrip())
    return lines


def _longest_fit(word: str, fits: Callable[[str], bool]) -> int:
    """How many leading characters of ``word`` fit on a line: at least 1, all of them when it
    fits whole. Found by doubling and then halving, so a line of L characters costs O(log L)
    measurements of at most 2L characters, never of the whole rest of a long word; searching
    down one character at a time made wrapping an unbreakable word cubic in its length
    (2,000 characters took minutes)."""
    if not fits(word[:1]):
        return 1
    good, bad = 1, 2
    while bad < len(word) and fits(word[:bad]):
        good, bad = bad, bad * 2
    if bad >= len(word):
        if fits(word):
            return len(word)
        bad = len(word)
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(word[:middle]):
            good = middle
        else:
            bad = middle
    return good


# --- drawing ----------------------------------------------------------------------------------

#: Characters the bidi algorithm reads as the end of a paragraph: inside a line they make
#: Pillow's layout (raqm) fail, so they break the line like a newline.
_PARAGRAPH_BREAKS = re.compile("\r\n|[\r\x1c\x1d\x1e\x85\u2029]")

#: What a card may have whatever its frame (small test frames still get ordinary cards).
MIN_FRAME_CARD_PIXELS = 2048 * 2048
#: The longest side of a drawn card, whatever REELSPEC_MAX_CARD_PIXELS allows: four times the
#: default REELSPEC_MAX_SIDE.
MAX_CARD_SIDE = 32_768


def check_card_size(width: int, height: int, frame: tuple[int, int] | None = None) -> None:
    """Refuse (rather than crop, or ask Pillow for gigabytes) a card over the pixel limit:
    REELSPEC_MAX_CARD_PIXELS, and four times the frame it is drawn for (twice its width and
    height: no more of a card can ever be seen, and drawing, blurring a shadow and
    compositing cost time in proportion to the pixels), but never less than
    MIN_FRAME_CARD_PIXELS."""
    limit = max_card_pixels()
    why = "REELSPEC_MAX_CARD_PIXELS"
    if frame is not None:
        relative = max(4 * frame[0] * frame[1], MIN_FRAME_CARD_PIXELS)
        if relative < limit:
            limit = relative
            why = f"four times the {frame[0]}x{frame[1]} frame, at least {MIN_FRAME_CARD_PIXELS:,}"
    if width * height > limit or max(width, height) > MAX_CARD_SIDE:
        raise MediaError(
            f"the text would be drawn {width}x{height} pixels ({width * height:,} in all), "
            f"over the limit of {limit:,} pixels ({why}) or {MAX_CARD_SIDE} a side; "
            "shorten the text or lower its size, max_width or box padding"
        )


def _pieces(runs: list[tuple[str, int]], mask: list[bool]) -> list[tuple[str, int, bool]]:
    """Font runs cut again where highlighting starts or stops."""
    out: list[tuple[str, int, bool]] = []
    position = 0
    for text, index in runs:
        for char in text:
            marked = mask[position] if position < len(mask) else False
            if out and out[-1][1] == index and out[-1][2] == marked:
                out[-1] = (out[-1][0] + char, index, marked)
            else:
                out.append((char, index, marked))
            position += 1
    return out


def highlight_mask(line: str, phrases: tuple[str, ...]) -> list[bool]:
    """Which characters of ``line`` belong to one of ``phrases`` (case-insensitive; a Latin
    phrase only where it is a whole word)."""
    mask = [False] * len(line)
    lowered = line.lower()
    for phrase in phrases:
        wanted = phrase.lower().strip()
        if not wanted:
            continue
        start = lowered.find(wanted)
        while start != -1:
            end = start + len(wanted)
            before = lowered[start - 1] if start else " "
            after = lowered[end] if end < len(lowered) else " "
            whole = not (wanted[0].isalnum() and before.isalnum() and before.isascii()) and not (
                wanted[-1].isalnum() and after.isalnum() and after.isascii()
            )
            if whole:
                mask[start:end] = [True] * len(wanted)
            start = lowered.find(wanted, start + 1)
    return mask


def draw_text(
    text: str,
    style: ResolvedTextStyle,
    highlights: tuple[str, ...] = (),
    frame: tuple[int, int] | None = None,
) -> Image.Image:
    """The card for ``text``; ``frame`` (the output's size) bounds how large it may be."""
    text = _PARAGRAPH_BREAKS.sub("\n", text)
    chain = FontChain(style.font_files, style.size)
    stroke = style.stroke.width if style.stroke else 0
    lines = wrap(text, chain, style.max_width_px - 2 * stroke)
    ascent, descent = chain.metrics(text)
    line_height = round((ascent + descent) * style.line_spacing)
    widths = [round(chain.length(line)) for line in lines]
    text_w = max(widths, default=0) + 2 * stroke
    text_h = line_height * (len(lines) - 1) + ascent + descent + 2 * stroke
    pad = style.box.padding if style.box else 0
    shadow_dx, shadow_dy = style.shadow.offset if style.shadow else (0, 0)
    blur = style.shadow.blur if style.shadow else 0
    extra_l = max(0, blur - shadow_dx, -shadow_dx) if style.shadow else 0
    extra_t = max(0, blur - shadow_dy, -shadow_dy) if style.shadow else 0
    extra_r = max(0, shadow_dx + blur) if style.shadow else 0
    extra_b = max(0, shadow_dy + blur) if style.shadow else 0
    width = text_w + 2 * pad + extra_l + extra_r
    height = text_h + 2 * pad + extra_t + extra_b
    check_card_size(width, height, frame)
    image = Image.new("RGBA", (max(1, width), max(1, height)), (0, 0, 0, 0))
    origin_x, origin_y = extra_l + pad, extra_t + pad

    if style.box:
        ImageDraw.Draw(image).rounded_rectangle(
            (extra_l, extra_t, extra_l + text_w + 2 * pad - 1, extra_t + text_h + 2 * pad - 1),
            radius=style.box.radius,
            fill=color_rgba(style.box.color),
        )

    def baselines() -> list[tuple[float, float, str]]:
        """Left end and baseline of each line."""
        out = []
        for index, (line, line_w) in enumerate(zip(lines, widths, strict=True)):
            if style.align == "left":
                x = 0.0
            elif style.align == "right":
                x = float(text_w - 2 * stroke - line_w)
            else:
                x = (text_w - 2 * stroke - line_w) / 2
            y = origin_y + stroke + index * line_height + ascent
            out.append((origin_x + stroke + x, y, line))
        return out

    def draw_lines(
        target: Image.Image,
        dx: float,
        dy: float,
        fill: tuple[int, ...],
        outline: tuple[int, ...] | None,
        accent: tuple[int, ...] | None = None,
    ) -> None:
        draw = ImageDraw.Draw(target)
        for x, y, line in baselines():
            mask = highlight_mask(line, highlights) if accent else [False] * len(line)
            for piece, index, marked in _pieces(chain.runs(line), mask):
                font = chain.font(index)
                draw.text(
                    (x + dx, y + dy),
                    piece,
                    font=font,
                    fill=accent if marked and accent else fill,
                    anchor="ls",
                    stroke_width=stroke,
                    stroke_fill=outline,
                )
                x += font.getlength(piece)

    if style.shadow:
        shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
        shadow_color = color_rgba(style.shadow.color)
        draw_lines(shadow, shadow_dx, shadow_dy, shadow_color, shadow_color)
        if blur:
            shadow = shadow.filter(ImageFilter.GaussianBlur(blur))
        image = Image.alpha_composite(image, shadow)
    draw_lines(
        image,
        0,
        0,
        color_rgba(style.color),
        color_rgba(style.stroke.color) if style.stroke else None,
        color_rgba(style.highlight) if style.highlight and highlights else None,
    )
    return image


def text_card(
    text: str,
    style: ResolvedTextStyle,
    highlights: tuple[str, ...] = (),
    frame: tuple[int, int] | None = None,
) -> tuple[Path, tuple[int, int]]:
    """The cached PNG for ``text`` drawn in ``style``, and its pixel size."""
    payload = {
        "text": text,
        "style": _style_payload(style),
        "fonts": [digest_of(Path(f)) for f in style.font_files],
        "highlights": list(highlights),
    }
    key = content_key("text", payload)

    def write(path: Path) -> None:
        draw_text(text, style, highlights, frame).save(path, format="PNG")

    path = cached_file(key, ".png", write)
    with Image.open(path) as image:
        size = image.size
    check_card_size(*size, frame)  # a card drawn for a larger frame, from the cache
    return path, size


def _style_payload(style: ResolvedTextStyle) -> dict[str, object]:
    data = asdict(style)
    data.pop("font_files")
    for name in ("stroke", "shadow", "box"):
        value = getattr(style, name)
        data[name] = value.model_dump() if value is not None else None
    return data
