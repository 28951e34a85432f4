"""Drawing a word-timed caption: one picture per frame of the cue, the words shown as spoken
(``words``) or all shown with the spoken one lit (``karaoke``: its color, a box behind it, a
pop in size).

Every look is laid out exactly as the plain caption (the same lines and places), so words
never move as the highlight passes; distinct looks are drawn once and the other frames are
hard links (as engine/resolve/text_frames.py does for animated text). Frame k of the cue is
the video's frame ``first + k``, at time ``(first + k) / fps``; a word counts as spoken from
the first frame whose time is at or after its start.

A line of right-to-left text (Arabic, Hebrew) is drawn whole, so its shaping and order stay
Pillow's (raqm's), and each word's state is laid over it by columns: the word's place
counted from the line's right end. A line that mixes directions, or needs several fonts,
cannot be cut that way: such a cue shows whole (the caller says so).
"""

from __future__ import annotations

import bisect
import math
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from PIL import Image, ImageDraw

from engine.cache import cached_folder, content_key
from engine.resolve.text_card import (
    CardLayout,
    FontChain,
    ResolvedTextStyle,
    card_text,
    check_card_size,
    face_keys,
    lay_out,
    pieces,
    style_payload,
)
from engine.resolve.text_frames import PATTERN, link_or_copy
from engine.resolved import Cue, PictureSequence, SpokenWord
from engine.spec.captions import CaptionHighlight
from engine.spec.common import color_rgba

#: A character's state in one look.
_HIDDEN, _PLAIN, _LIT = 0, 1, 2
#: The highlight box's padding around its word, as a share of the font size.
BOX_PADDING = Fraction(1, 6)


def word_changes(cue: Cue, first: int, fps: Fraction) -> list[int]:
    """The frame of the cue (from 0) at which each of its words starts being spoken."""
    return [max(0, math.ceil(word.start * fps) - first) for word in cue.words]


def _right_to_left(line: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in line)


def by_word(line: str, chain: FontChain) -> bool:
    """Whether a line's words can be drawn in states of their own: any left-to-right line,
    or a right-to-left one with no left-to-right letters, in one font."""
    if not _right_to_left(line):
        return True
    return all(unicodedata.bidirectional(c) != "L" for c in line) and len(chain.runs(line)) == 1


def caption_sequence(
    cue: Cue,
    mode: str,
    highlight: CaptionHighlight,
    style: ResolvedTextStyle,
    first: int,
    fps: Fraction,
    frame: tuple[int, int],
) -> PictureSequence | None:
    """The pictures of ``cue`` shown from the video's frame ``first``: until the last word
    starts, then the last is held. None when a line mixes directions (see above)."""
    text = card_text(cue.text)
    chain = FontChain(style.faces, style.size)
    layout = lay_out(text, style, chain)
    if not all(by_word(line, chain) for _, _, line in layout.lines):
        return None
    pop = highlight.pop if mode == "karaoke" else 1.0
    margin = math.ceil((pop - 1) * style.size) + (
        math.ceil(style.size * BOX_PADDING) if mode == "karaoke" and highlight.box else 0
    )
    size = (max(1, layout.width) + 2 * margin, max(1, layout.height) + 2 * margin)
    check_card_size(*size, frame)
    changes = word_changes(cue, first, fps)
    count = (max(changes) if changes else 0) + 1
    # The look of frame k: how many words have started by then.
    ordered = sorted(changes)
    looks = [bisect.bisect_right(ordered, k) for k in range(count)]
    payload = {
        "text": text,
        "style": style_payload(style),
        "fonts": face_keys(style.faces),
        "words": [[w.first, w.last] for w in cue.words],
        "looks": looks,
        "mode": mode,
        "highlight": highlight.model_dump(mode="json"),
    }
    painter = _Painter(text, cue, layout, chain, style, highlight, mode, (margin, margin), size)
    key = content_key("caption-frames", payload)
    folder = cached_folder(key, lambda into: _write(painter, looks, into))
    return PictureSequence(folder / PATTERN, count, size, (margin, margin))


def _write(painter: _Painter, looks: list[int], folder: Path) -> None:
    written: dict[int, Path] = {}
    for index, spoken in enumerate(looks):
        target = folder / (PATTERN % index)
        if spoken in written:
            link_or_copy(written[spoken], target)
            continue
        painter.picture(spoken).save(target, format="PNG", compress_level=1)
        written[spoken] = target


class _Painter:
    """Draws the cue with ``spoken`` words started."""

    def __init__(
        self,
        text: str,
        cue: Cue,
        layout: CardLayout,
        chain: FontChain,
        style: ResolvedTextStyle,
        highlight: CaptionHighlight,
        mode: str,
        inset: tuple[int, int],
        size: tuple[int, int],
    ) -> None:
        self.text, self.cue, self.layout, self.chain = text, cue, layout, chain
        self.style, self.highlight, self.mode = style, highlight, mode
        self.inset, self.size = inset, size
        # Where each laid-out line starts in the text (the layout may wrap lines again).
        self.line_starts: list[int] = []
        cursor = 0
        for _, _, line in layout.lines:
            found = text.find(line, cursor)
            self.line_starts.append(found if found >= 0 else cursor)
            cursor = (found if found >= 0 else cursor) + len(line)

    def _states(self, spoken: int) -> list[int]:
        states = [_PLAIN] * len(self.text)
        for index, word in enumerate(self.cue.words):
            if self.mode == "words" and index >= spoken:
                states[word.first : word.last] = [_HIDDEN] * (word.last - word.first)
            if self.mode == "karaoke" and index == spoken - 1:
                states[word.first : word.last] = [_LIT] * (word.last - word.first)
        return states

    def picture(self, spoken: int) -> Image.Image:
        style, (dx, dy) = self.style, self.inset
        image = Image.new("RGBA", self.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(image)
        if style.box:
            x0, y0, x1, y1 = self.layout.box
            pen.rounded_rectangle(
                (x0 + dx, y0 + dy, x1 + dx, y1 + dy),
                radius=style.box.radius,
                fill=color_rgba(style.box.color),
            )
        states = self._states(spoken)
        lit = self.cue.words[spoken - 1] if self.mode == "karaoke" and spoken else None
        if lit is not None and self.highlight.box:
            pen.rounded_rectangle(
                self._word_box(lit), radius=max(2, self.style.size // 6),
                fill=color_rgba(self.highlight.box),
            )  # fmt: skip
        fill = color_rgba(style.color)
        outline = color_rgba(style.stroke.color) if style.stroke else None
        accent = color_rgba(self.highlight.color)
        popped = self.highlight.pop > 1 and lit is not None
        if style.shadow:
            shade = color_rgba(style.shadow.color)
            shadow = Image.new("RGBA", self.size, (0, 0, 0, 0))
            offset = style.shadow.offset
            moved = (dx + offset[0], dy + offset[1])
            self._draw(shadow, states, lambda state: shade if state else None, moved, shade)
            if style.shadow.blur:
                from PIL import ImageFilter

                shadow = shadow.filter(ImageFilter.GaussianBlur(style.shadow.blur))
            image = Image.alpha_composite(image, shadow)

        def color(state: int) -> tuple[int, ...] | None:
            if state == _HIDDEN or (state == _LIT and popped):
                return None
            return accent if state == _LIT else fill

        self._draw(image, states, color, (dx, dy), outline)
        if popped and lit is not None:
            self._pop(image, lit, accent, outline)
        return image

    def _draw(
        self,
        target: Image.Image,
        states: list[int],
        color: Callable[[int], tuple[int, ...] | None],
        offset: tuple[int, int],
        outline: tuple[int, ...] | None,
    ) -> None:
        pen = ImageDraw.Draw(target)
        for (x, y, line), begin in zip(self.layout.lines, self.line_starts, strict=True):
            if _right_to_left(line):
                self._draw_whole(target, (x + offset[0], y + offset[1]), line, begin, states,
                                 color, outline)  # fmt: skip
                continue
            for piece, font_index, state in pieces(
                self.chain.runs(line), states[begin : begin + len(line)], _PLAIN
            ):
                font = self.chain.font(font_index)
                fill = color(state)
                if fill is not None:
                    pen.text(
                        (x + offset[0], y + offset[1]), piece, font=font, fill=fill, anchor="ls",
                        stroke_width=self.layout.stroke, stroke_fill=outline,
                    )  # fmt: skip
                x += font.getlength(piece)

    def _draw_whole(
        self,
        target: Image.Image,
        at: tuple[float, float],
        line: str,
        begin: int,
        states: list[int],
        color: Callable[[int], tuple[int, ...] | None],
        outline: tuple[int, ...] | None,
    ) -> None:
        """A right-to-left line drawn whole in each color its words take, each copy kept
        only over the columns of the words in that color."""
        font = self.chain.font(self.chain.runs(line)[0][1])
        columns = self._columns(at[0], line, begin, states)
        for fill in {f for _, _, state in columns if (f := color(state)) is not None}:
            layer = Image.new("RGBA", target.size, (0, 0, 0, 0))
            ImageDraw.Draw(layer).text(
                at, line, font=font, fill=fill, anchor="ls",
                stroke_width=self.layout.stroke, stroke_fill=outline,
            )  # fmt: skip
            mask = Image.new("L", target.size, 0)
            pen = ImageDraw.Draw(mask)
            for left, right, state in columns:
                if color(state) == fill and right > left:
                    pen.rectangle((left, 0, right - 1, target.size[1]), fill=255)
            target.alpha_composite(Image.composite(layer, Image.new("RGBA", target.size), mask))

    def _columns(
        self, x: float, line: str, begin: int, states: list[int]
    ) -> list[tuple[int, int, int]]:
        """(left, right, state) column ranges of a right-to-left line's words, each reaching
        halfway to its neighbours (the line's first word is its rightmost)."""
        width = self.chain.length(line)
        spans = sorted(
            (x + width - self.chain.length(line[: w.last - begin]),
             x + width - self.chain.length(line[: w.first - begin]),
             states[w.first] if w.first < len(states) else _PLAIN)
            for w in self.cue.words
            if begin <= w.first < begin + len(line)
        )  # fmt: skip
        out: list[tuple[int, int, int]] = []
        for index, (left, right, state) in enumerate(spans):
            start = 0 if index == 0 else round((spans[index - 1][1] + left) / 2)
            end = (
                self.size[0]
                if index + 1 == len(spans)
                else round((right + spans[index + 1][0]) / 2)
            )
            out.append((start, end, state))
        return out

    def _place(self, word_first: int, word_last: int) -> tuple[float, float, float] | None:
        """The left end, right end and baseline of a word's part on its line."""
        for (x, y, line), begin in zip(self.layout.lines, self.line_starts, strict=True):
            if begin <= word_first < begin + max(1, len(line)):
                left = x + self.chain.length(line[: word_first - begin])
                right = x + self.chain.length(line[: min(len(line), word_last - begin)])
                if _right_to_left(line):  # counted from the line's right end
                    width = self.chain.length(line)
                    left, right = 2 * x + width - right, 2 * x + width - left
                return left, right, y
        return None

    def _word_box(self, word: SpokenWord) -> tuple[float, float, float, float]:
        first, last = word.first, word.last
        place = self._place(first, last)
        if place is None:
            return (0, 0, 0, 0)
        left, right, baseline = place
        ascent, descent = self.chain.metrics(self.text[first:last] or " ")
        grow = (self.highlight.pop - 1) / 2
        width, height = right - left, ascent + descent
        pad = float(self.style.size * BOX_PADDING)
        dx, dy = self.inset
        return (
            left - width * grow - pad + dx,
            baseline - ascent - height * grow * 2 - pad / 2 + dy,
            right + width * grow + pad + dx,
            baseline + descent + pad / 2 + dy,
        )

    def _pop(
        self,
        image: Image.Image,
        word: SpokenWord,
        fill: tuple[int, ...],
        outline: tuple[int, ...] | None,
    ) -> None:
        """The lit word drawn larger, centred over its place, on the same baseline."""
        first, last = word.first, word.last
        place = self._place(first, last)
        if place is None:
            return
        left, right, baseline = place
        big = FontChain(self.style.faces, round(self.style.size * self.highlight.pop))
        shown = self.text[first:last]
        width = big.length(shown)
        x = (left + right) / 2 - width / 2 + self.inset[0]
        pen = ImageDraw.Draw(image)
        for piece, font_index in big.runs(shown):
            font = big.font(font_index)
            pen.text(
                (x, baseline + self.inset[1]), piece, font=font, fill=fill, anchor="ls",
                stroke_width=self.layout.stroke, stroke_fill=outline,
            )  # fmt: skip
            x += font.getlength(piece)
