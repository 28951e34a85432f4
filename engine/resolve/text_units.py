"""A text card taken apart for animation: where each grapheme, word and line of the laid-out
card lies, and the card's layers (box, shadow, text) drawn once.

The layout is the static card's (engine/resolve/text_card.py), computed once from the whole
text, so nothing reflows while the text is revealed. Each line is cut into *cells*, one per
grapheme, at the pen positions between graphemes; the cells of a line tile it from edge to
edge of the card (the first and last reach past the card's sides), and the lines' bands tile
the card from top to bottom. Showing a unit (a grapheme, a word, a line) is showing the part
of the drawn text (and of its shadow, moved by the shadow's offset) inside its cells: when
every unit is shown, every pixel of the layers is, once.

Right-to-left text: Pillow (with libraqm) lays out each font run as its own paragraph, in the
direction of its first strong character. In a right-to-left run the first graphemes read are
at its right end, so cells are measured from there: the text is revealed in logical order
over the line as it is drawn. Without libraqm Pillow draws every run left to right, and so are
the cells measured.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

from engine.resolve.graphemes import graphemes
from engine.resolve.text_card import (
    CardLayout,
    FontChain,
    ResolvedTextStyle,
    card_text,
    draw_lines,
    highlight_mask,
    lay_out,
    pieces,
)
from engine.resolve.text_layout import breaks_anywhere
from engine.spec.common import color_rgba

#: Far past any card's edge: where the outermost cells end.
FAR = 1 << 20

Rect = tuple[int, int, int, int]


@functools.cache
def _raqm() -> bool:
    return bool(features.check("raqm"))


def right_to_left(text: str) -> bool:
    """Whether Pillow lays ``text`` out right to left: its first strong character is Hebrew,
    Arabic or another right-to-left script (and libraqm is there to do it)."""
    if not _raqm():
        return False
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


@dataclass(frozen=True)
class Grapheme:
    text: str
    line: int
    #: Its cell: from the pen position before it to the one after, left to right on the card.
    left: float
    right: float
    rtl: bool
    #: Part of a highlighted word or phrase.
    marked: bool


@dataclass(frozen=True)
class CardUnits:
    """Where everything of a card lies (measured, not drawn)."""

    text: str
    style: ResolvedTextStyle
    highlights: tuple[str, ...]
    layout: CardLayout
    ascent: int
    descent: int
    graphemes: tuple[Grapheme, ...]
    #: Each line's band: its top and bottom rows; the first and last reach past the card.
    bands: tuple[tuple[int, int], ...]
    #: Each line's leftmost and rightmost pen position (where its cells reach past the card).
    ends: tuple[tuple[float, float], ...]
    #: The cells of each whole line, merged, once worked out.
    _whole_lines: dict[int, list[Rect]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def size(self) -> tuple[int, int]:
        return max(1, self.layout.width), max(1, self.layout.height)

    def cell_rects(self, indices: list[int]) -> list[Rect]:
        """The cells of graphemes ``indices``, those side by side on a line merged; a line's
        first and last cell reach past the card."""
        by_line: dict[int, list[tuple[int, int]]] = {}
        for index in indices:
            g = self.graphemes[index]
            lo, hi = self.ends[g.line]
            left = -FAR if g.left <= lo else round(g.left)
            right = FAR if g.right >= hi else round(g.right)
            by_line.setdefault(g.line, []).append((left, right))
        rects: list[Rect] = []
        for line, spans in sorted(by_line.items()):
            top, bottom = self.bands[line]
            spans.sort()
            merged = [list(spans[0])]
            for left, right in spans[1:]:
                if left <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], right)
                else:
                    merged.append([left, right])
            rects += [(left, top, right, bottom) for left, right in merged if right > left]
        return rects

    def prefix_rects(self, count: int) -> list[Rect]:
        """The cells of the first ``count`` graphemes, merged: the lines before the last one
        whole (worked out once each), then the part of the last line."""
        if count <= 0:
            return []
        last = self.graphemes[count - 1].line
        rects: list[Rect] = []
        for line in range(last):
            if line not in self._whole_lines:
                mine = [i for i, g in enumerate(self.graphemes) if g.line == line]
                self._whole_lines[line] = self.cell_rects(mine)
            rects += self._whole_lines[line]
        first = count - 1
        while first > 0 and self.graphemes[first - 1].line == last:
            first -= 1
        return rects + self.cell_rects(list(range(first, count)))

    def line_rect(self, line: int) -> Rect:
        top, bottom = self.bands[line]
        return -FAR, top, FAR, bottom

    def words(self) -> list[list[int]]:
        """Graphemes grouped into words, in reading order: a word takes the spaces after it;
        each CJK character (ideograph, kana, full-width form) is a word of its own."""
        out: list[list[int]] = []
        previous_line, previous_space, previous_cjk, inked = -1, False, False, False
        for index, g in enumerate(self.graphemes):
            space = g.text.isspace()
            cjk = breaks_anywhere(g.text[0])
            # Spaces go with the word before them (those that open a line, with the word
            # after); a word ends where a new one begins after spaces, or at a CJK character.
            new = g.line != previous_line or (
                inked and not space and (previous_space or cjk or previous_cjk)
            )
            if new or not out:
                out.append([index])
                inked = False
            else:
                out[-1].append(index)
            inked = inked or not space
            previous_line, previous_space, previous_cjk = g.line, space, cjk
        return [word for word in out if any(not self.graphemes[i].text.isspace() for i in word)]

    def lines(self) -> list[int]:
        """The lines that hold text (a blank line has nothing to reveal)."""
        return sorted({g.line for g in self.graphemes if not g.text.isspace()})


def _piece_cells(
    piece: str, x: float, width: float, rtl: bool, font: ImageFont.FreeTypeFont, starts: list[int]
) -> list[tuple[float, float]]:
    """The cells of the graphemes of ``piece`` that start at ``starts`` (offsets in it)."""
    bounds = [*starts, len(piece)]
    widths: list[float] = []
    reached = 0.0
    for offset in bounds:
        if offset >= len(piece):
            reached = width
        elif offset > 0:
            measured = float(font.getlength(piece[:offset]))
            reached = min(width, max(reached, measured))
        widths.append(reached)
    cells = []
    for a, b in itertools.pairwise(widths):
        if rtl:
            right = x + width if a == 0 else (x if a >= width else x + width - a)
            left = x if b >= width else x + width - b
            cells.append((left, right))
        else:
            cells.append((x + a, x + b))
    return cells


def measure(text: str, style: ResolvedTextStyle, highlights: tuple[str, ...] = ()) -> CardUnits:
    """Lay out ``text`` as the static card does and find every grapheme's cell."""
    text = card_text(text)
    chain = FontChain(style.faces, style.size)
    layout = lay_out(text, style, chain)
    ascent, descent = chain.metrics(text)
    found: list[Grapheme] = []
    for line_index, (x0, _, line) in enumerate(layout.lines):
        mask = highlight_mask(line, highlights) if highlights else [False] * len(line)
        # The text is drawn in pieces (font runs, cut again where highlighting starts): each
        # grapheme is measured in the piece it starts in.
        accent = bool(style.highlight and highlights)
        drawn = pieces(chain.runs(line), mask if accent else [False] * len(line), False)
        x, start = x0, 0
        clusters = graphemes(line)
        offsets = [sum(len(c) for c in clusters[:i]) for i in range(len(clusters))]
        taken = 0
        for piece, index, _ in drawn:
            font = chain.font(index)
            width = float(font.getlength(piece))
            end = start + len(piece)
            mine = [i for i in range(taken, len(clusters)) if offsets[i] < end]
            taken += len(mine)
            rtl = right_to_left(piece)
            cells = _piece_cells(piece, x, width, rtl, font, [offsets[i] - start for i in mine])
            for i, (left, right) in zip(mine, cells, strict=True):
                chars = range(offsets[i], offsets[i] + len(clusters[i]))
                found.append(
                    Grapheme(clusters[i], line_index, left, right, rtl, any(mask[c] for c in chars))
                )
            x += width
            start = end
    ends = [(x, x) for x, _, _ in layout.lines]
    for g in found:
        lo, hi = ends[g.line]
        ends[g.line] = (min(lo, g.left), max(hi, g.right))
    bands = _bands(layout, ascent, descent)
    return CardUnits(
        text, style, highlights, layout, ascent, descent, tuple(found), bands, tuple(ends)
    )


def _bands(layout: CardLayout, ascent: int, descent: int) -> tuple[tuple[int, int], ...]:
    """Rows of each line: split halfway between one line's ink and the next's."""
    stroke = layout.stroke
    baselines = [y for _, y, _ in layout.lines]
    cuts = [
        round(((a + descent + stroke) + (b - ascent - stroke)) / 2)
        for a, b in itertools.pairwise(baselines)
    ]
    tops = [-FAR, *cuts]
    bottoms = [*cuts, FAR]
    return tuple(zip(tops, bottoms, strict=True))


@dataclass(frozen=True)
class CardLayers:
    """The card drawn apart, each layer the card's size: the box, the shadow (blurred, where
    the static card draws it) and the text (fill, outline, highlighted words)."""

    box: Image.Image
    shadow: Image.Image | None
    text: Image.Image


def draw_layers(units: CardUnits, fill: str | None = None) -> CardLayers:
    """The card's layers; with ``fill`` the text is all drawn in that color, highlighted
    words too (a highlight sweep of the color kind changes one such layer for another)."""
    style, layout = units.style, units.layout
    chain = FontChain(style.faces, style.size)
    size = units.size
    clear = (0, 0, 0, 0)
    box = Image.new("RGBA", size, clear)
    if style.box:
        ImageDraw.Draw(box).rounded_rectangle(
            layout.box, radius=style.box.radius, fill=color_rgba(style.box.color)
        )
    shadow = None
    if style.shadow:
        shadow = Image.new("RGBA", size, clear)
        shadow_color = color_rgba(style.shadow.color)
        draw_lines(shadow, layout, chain, style.shadow.offset, shadow_color, shadow_color)
        if style.shadow.blur:
            shadow = shadow.filter(ImageFilter.GaussianBlur(style.shadow.blur))
    text = Image.new("RGBA", size, clear)
    outline = color_rgba(style.stroke.color) if style.stroke else None
    if fill is not None:
        draw_lines(text, layout, chain, (0, 0), color_rgba(fill), outline)
    else:
        highlight = color_rgba(style.highlight) if style.highlight and units.highlights else None
        ink = color_rgba(style.color)
        draw_lines(text, layout, chain, (0, 0), ink, outline, highlight, units.highlights)
    return CardLayers(box, shadow, text)
