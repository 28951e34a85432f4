"""What an animated text card looks like at each frame: which units (graphemes, words,
lines) show, how far each has moved, faded or grown, where the cursor or the highlight sweep
is. Only numbers here (a :class:`Look` per frame); engine/resolve/text_frames.py draws them.

Frame k of the layer is time k / fps after the layer starts. Times are exact fractions, so
"due by time t" is decided without float error; eased motion is rounded to whole pixels,
alpha to 1/255 and scale to thousandths, and equal looks are one picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from engine.easing import ease
from engine.resolve.text_units import CardUnits, Rect
from engine.spec.text_animation import (
    Highlight,
    Lines,
    Pop,
    TextAnimation,
    Typewriter,
    Words,
    default_easing,
)
from engine.timebase import exact

#: Defaults of the pace options.
TYPEWRITER_SPEED = Fraction(20)
WORD_INTERVAL = Fraction(3, 10)
WORD_FADE = Fraction(1, 4)
#: What a word's rise starts below its place, as a share of the font size.
RISE_SHARE = Fraction(2, 5)
#: The band behind highlighted words, unless ``color`` says otherwise.
HIGHLIGHT_COLOR = "#ffd400"


@dataclass(frozen=True)
class Moving:
    """A unit on its way in: its opacity (0-255), shift in pixels, and scale in thousandths
    (about its own center)."""

    unit: int
    alpha: int = 255
    dx: int = 0
    dy: int = 0
    scale: int = 1000


@dataclass(frozen=True)
class Look:
    """One frame's picture, as numbers."""

    #: How many units, from the first, show as drawn (units arrive, and settle, in order).
    still: int = 0
    #: Units on their way in.
    moving: tuple[Moving, ...] = ()
    #: Where the cursor stands: its left edge and the baseline, on the card.
    cursor: tuple[int, int] | None = None
    #: Rectangles the highlight sweep has covered, on the card.
    swept: tuple[Rect, ...] = ()
    #: The whole card's scale in thousandths (pop), about its center.
    scale: int = 1000


@dataclass(frozen=True)
class Plan:
    """An animation worked out: how many units it moves (graphemes, words or lines), where
    one unit lies and where the first k lie on the card, when its last change is over, and
    its look at a time (seconds after the layer starts)."""

    units: int
    unit_rects: Callable[[int], list[Rect]]
    prefix_rects: Callable[[int], list[Rect]]
    end: Fraction
    look: Callable[[Fraction], Look]


def _alpha(share: float) -> int:
    return max(0, min(255, round(255 * share)))


def plan(animation: TextAnimation, units: CardUnits, cursor_width: float = 0.0) -> Plan:
    """How ``animation`` reveals the card measured as ``units``."""
    if isinstance(animation, Typewriter):
        return _typewriter(animation, units, cursor_width)
    if isinstance(animation, Words):
        return _words(animation, units)
    if isinstance(animation, Lines):
        return _lines(animation, units)
    if isinstance(animation, Pop):
        return _pop(animation, units)
    return _highlight(animation, units)


def _graphemes(units: CardUnits, end: Fraction, look: Callable[[Fraction], Look]) -> Plan:
    """A plan whose units are the graphemes."""
    return Plan(
        len(units.graphemes),
        lambda i: units.cell_rects([i]),
        units.prefix_rects,
        end,
        look,
    )


def _started(t: Fraction, first: Fraction, interval: Fraction, n: int) -> int:
    """How many of ``n`` things, the first at ``first`` and then one every ``interval``, have
    begun by time ``t``."""
    if t < first or n == 0:
        return 0
    if interval == 0:
        return n
    return min(n, math.floor((t - first) / interval) + 1)


def _typewriter(animation: Typewriter, units: CardUnits, cursor_width: float) -> Plan:
    n = len(units.graphemes)
    delay = exact(animation.delay)
    if animation.duration is not None:
        span = exact(animation.duration)
    else:
        speed = exact(animation.speed) if animation.speed is not None else TYPEWRITER_SPEED
        span = Fraction(n) / speed
    curve = default_easing(animation)
    cursor = animation.cursor_text is not None

    def look(t: Fraction) -> Look:
        if curve == "linear" or t < delay or n == 0:
            count = _started(t, delay, span / max(1, n), n)
        else:  # the starts spread along the curve
            eased = ease(curve, float((t - delay) / span))
            count = min(n, math.floor(eased * n + 1e-9) + 1)
        typing = cursor and t < delay + span
        at = _cursor_at(units, count, cursor_width) if typing else None
        return Look(still=count, cursor=at)

    return _graphemes(units, delay + span, look)


def _cursor_at(units: CardUnits, count: int, width: float) -> tuple[int, int]:
    """The cursor's left edge and baseline after the first ``count`` graphemes."""
    layout = units.layout
    if not units.graphemes:
        x, y, _ = layout.lines[0]
        return round(x), round(y)
    if count == 0:
        first = units.graphemes[0]
        x = first.right - width if first.rtl else first.left
        return round(x), round(layout.lines[first.line][1])
    last = units.graphemes[count - 1]
    x = last.left - width if last.rtl else last.right
    return round(x), round(layout.lines[last.line][1])


def _words(animation: Words, units: CardUnits) -> Plan:
    words = units.words()
    n = len(words)
    delay = exact(animation.delay)
    interval = WORD_INTERVAL
    if animation.per_word is not None:
        interval = exact(animation.per_word)
    elif animation.duration is not None and n:
        interval = exact(animation.duration) / n
    mode = animation.mode
    fade = Fraction(0)
    if mode != "appear":
        fade = exact(animation.fade) if animation.fade is not None else WORD_FADE
    rise = animation.distance
    if rise is None:
        rise = round(RISE_SHARE * Fraction(units.style.size))
    curve = default_easing(animation)
    word_rects = [units.cell_rects(word) for word in words]

    def look(t: Fraction) -> Look:
        started = _started(t, delay, interval, n)
        settled = _started(t, delay + fade, interval, n) if fade else started
        moving: list[Moving] = []
        for i in range(settled, started):
            share = float((t - delay - i * interval) / fade)
            eased = ease(curve, share)
            if mode == "fade":
                moving.append(Moving(i, alpha=_alpha(eased)))
            elif mode == "pop":
                moving.append(Moving(i, scale=max(0, round(1000 * eased))))
            else:
                moving.append(Moving(i, alpha=_alpha(share), dy=round(rise * (1 - eased))))
        return Look(still=settled, moving=tuple(moving))

    def prefix(k: int) -> list[Rect]:
        return units.prefix_rects(words[k - 1][-1] + 1) if k else []

    end = delay + max(0, n - 1) * interval + fade
    return Plan(n, word_rects.__getitem__, prefix, end, look)


def _lines(animation: Lines, units: CardUnits) -> Plan:
    lines = units.lines()
    n = len(lines)
    delay = exact(animation.delay)
    stagger = exact(animation.stagger)
    duration = exact(animation.duration)
    curve = default_easing(animation)
    sx, sy = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}[animation.from_]
    distance = animation.distance

    def look(t: Fraction) -> Look:
        started = _started(t, delay, stagger, n)
        settled = _started(t, delay + duration, stagger, n)
        moving: list[Moving] = []
        for i in range(settled, started):
            share = float((t - delay - i * stagger) / duration)
            away = distance * (1 - ease(curve, share))
            alpha = _alpha(share) if animation.fade else 255
            moving.append(Moving(i, alpha=alpha, dx=round(sx * away), dy=round(sy * away)))
        return Look(still=settled, moving=tuple(moving))

    end = delay + max(0, n - 1) * stagger + duration
    return Plan(
        n,
        lambda i: [units.line_rect(lines[i])],
        lambda k: [units.line_rect(line) for line in lines[:k]],
        end,
        look,
    )


def _pop(animation: Pop, units: CardUnits) -> Plan:
    delay = exact(animation.delay)
    duration = exact(animation.duration)
    curve = default_easing(animation)
    start = animation.scale
    every = len(units.graphemes)

    def look(t: Fraction) -> Look:
        share = float((t - delay) / duration) if t > delay else 0.0
        scale = start + (1 - start) * ease(curve, share)
        return Look(still=every, scale=max(0, round(1000 * scale)))

    return _graphemes(units, delay + duration, look)


def highlight_spans(units: CardUnits) -> list[tuple[int, float, float, bool]]:
    """Where a highlight sweep passes, in reading order: (line, left, right, right-to-left)
    of each run of highlighted graphemes (of each line's text when none are listed)."""
    spans: list[tuple[int, float, float, bool]] = []
    listed = bool(units.highlights)
    previous: tuple[int, bool] | None = None
    for g in units.graphemes:
        wanted = g.marked if listed else True
        if not wanted:
            previous = None
            continue
        if previous == (g.line, g.rtl) and spans:
            line, left, right, rtl = spans[-1]
            spans[-1] = (line, min(left, g.left), max(right, g.right), rtl)
        else:
            spans.append((g.line, g.left, g.right, g.rtl))
        previous = (g.line, g.rtl)
    if not listed:  # whole lines: their trailing spaces are not swept
        spans = [_trimmed(units, span) for span in spans]
    return [span for span in spans if span[2] > span[1]]


Span = tuple[int, float, float, bool]


def _trimmed(units: CardUnits, span: Span) -> Span:
    line, left, right, rtl = span
    inked = [g for g in units.graphemes if g.line == line and not g.text.isspace()]
    if not inked:
        return line, left, left, rtl
    return line, max(left, min(g.left for g in inked)), min(right, max(g.right for g in inked)), rtl


def _highlight(animation: Highlight, units: CardUnits) -> Plan:
    delay = exact(animation.delay)
    duration = exact(animation.duration)
    curve = default_easing(animation)
    spans = highlight_spans(units)
    total = sum(right - left for _, left, right, _ in spans)
    every = len(units.graphemes)
    layout = units.layout
    band = animation.mode == "band"

    def look(t: Fraction) -> Look:
        share = float((t - delay) / duration) if t > delay else 0.0
        left_over = ease(curve, share) * total
        swept: list[Rect] = []
        for line, left, right, rtl in spans:
            if left_over <= 0:
                break
            covered = min(right - left, left_over)
            left_over -= covered
            a, b = (right - covered, right) if rtl else (left, left + covered)
            if band:
                baseline = layout.lines[line][1]
                top, bottom = baseline - units.ascent, baseline + units.descent
            else:
                top, bottom = units.bands[line]
            rect = (round(a), round(top), round(b), round(bottom))
            if rect[2] > rect[0]:
                swept.append(rect)
        return Look(still=every, swept=tuple(swept))

    return _graphemes(units, delay + duration, look)
