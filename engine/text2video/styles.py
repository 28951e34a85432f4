"""The named looks of ``reelspec text2video --style``: curated palettes (one family per mood,
several backgrounds in each, so scenes vary within the family), fonts, sizes and motion."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Palette:
    name: str
    #: Scene backgrounds, used in turn: the colours of a gradient (one colour: a solid card).
    backgrounds: tuple[tuple[str, ...], ...]
    #: Text colours, in order of preference: the first that reads on a card is used.
    ink: tuple[str, ...]
    #: Highlight colours, in order of preference (never the ink's colour).
    accents: tuple[str, ...]


@dataclass(frozen=True)
class Style:
    name: str
    summary: str
    #: mood (positive, neutral, negative) → the palettes one script chooses among.
    families: dict[str, tuple[Palette, ...]]
    font: str = "sans"
    title_font: str = "sans"
    #: Sizes for a 720-pixel-high frame (scaled to the output).
    size: int = 54
    title_size: int = 84
    shadow: bool = False
    #: An opaque box behind every text (its colour), or none: text on the background.
    box: str | None = None
    radius: int = 12
    transition: dict[str, Any] = field(default_factory=lambda: {"type": "fade", "duration": 0.5})
    #: How the text of a statement and a caption comes in (an ``animate`` mapping).
    words: dict[str, Any] = field(default_factory=lambda: {"type": "words", "mode": "rise"})
    #: How a decoration (an accent bar, a quote mark) comes in (an ``enter`` mapping).
    enter: dict[str, Any] = field(default_factory=lambda: {"slide": "left", "duration": 0.6})


def _palette(name: str, backgrounds: list[list[str]], ink: str, *accents: str) -> Palette:
    return Palette(name, tuple(tuple(b) for b in backgrounds), (ink, "#ffffff", "#111111"), accents)


BOLD = Style(
    name="bold",
    summary="deep saturated gradients, big white type, bright highlights",
    families={
        "positive": (
            _palette("ember", [["#5f0f40", "#9a031e"], ["#3d0c45", "#a4133c"],
                               ["#6a040f", "#7a1f3d"], ["#2d1e5f", "#8e2d6e"]],
                     "#ffffff", "#ffd166", "#ffe66d", "#ffb4a2"),
            _palette("dusk", [["#2d1e5f", "#7a1f3d"], ["#3d0c45", "#6a040f"],
                              ["#22223b", "#8e2d6e"], ["#5f0f40", "#2d1e5f"]],
                     "#ffffff", "#ffe66d", "#7ee8fa", "#ffb4a2"),
        ),
        "neutral": (
            _palette("ocean", [["#0b2545", "#13315c"], ["#1b263b", "#415a77"],
                               ["#10375c", "#1f4e79"], ["#22223b", "#4a4e69"]],
                     "#ffffff", "#ffd166", "#7ee8fa", "#f4a261"),
            _palette("ink", [["#141e30", "#243b55"], ["#22223b", "#1f4e79"],
                             ["#1b263b", "#3a3550"], ["#0b2545", "#2c3e50"]],
                     "#ffffff", "#7ee8fa", "#ffd166", "#ffb4a2"),
        ),
        "negative": (
            _palette("storm", [["#141e30", "#243b55"], ["#232526", "#414345"],
                               ["#1f1c2c", "#3a3550"], ["#2c3e50", "#1a1a2e"]],
                     "#ffffff", "#9ad1ff", "#ff8fa3", "#e0e0e0"),
        ),
    },
    font="sans", title_font="sans", size=56, title_size=88, shadow=True,
    words={"type": "words", "mode": "rise"},
)  # fmt: skip

MINIMAL = Style(
    name="minimal",
    summary="quiet off-white cards, dark type, one strong accent, gentle fades",
    families={
        "positive": (
            _palette("cream", [["#fff8ef"], ["#ffffff"], ["#fdf0e6"], ["#f7f7f5"]],
                     "#1a1a1a", "#c2410c", "#b91c1c", "#1d4ed8"),
        ),
        "neutral": (
            _palette("paper", [["#f7f7f5"], ["#eef2f5"], ["#ffffff"], ["#f5f5f0"]],
                     "#1a1a1a", "#1d4ed8", "#0f766e", "#b91c1c"),
        ),
        "negative": (
            _palette("fog", [["#eceff1"], ["#f3f3f3"], ["#e8e8ec"], ["#f7f7f5"]],
                     "#1a1a1a", "#3730a3", "#b91c1c", "#0f766e"),
        ),
    },
    font="sans", title_font="sans", size=50, title_size=76, shadow=False,
    transition={"type": "fade", "duration": 0.4},
    words={"type": "words", "mode": "fade"},
    enter={"fade": True, "duration": 0.6},
)  # fmt: skip

EDITORIAL = Style(
    name="editorial",
    summary="serif type on paper and ink tones, cards alternating light and dark, lines sliding up",
    families={
        "positive": (
            _palette("broadsheet", [["#f6f1e7"], ["#1f3a5f"], ["#efe6d8"], ["#7a2e1f"]],
                     "#1b1b1b", "#b03a2e", "#f2c14e", "#1d4ed8"),
        ),
        "neutral": (
            _palette("newsprint", [["#f4f1ea"], ["#20252b"], ["#f6f1e7"], ["#2e3a46"]],
                     "#1b1b1b", "#1d4ed8", "#f2c14e", "#b03a2e"),
        ),
        "negative": (
            _palette("charcoal", [["#f3f1ee"], ["#1c1c1c"], ["#f4f1ea"], ["#2b2d33"]],
                     "#1b1b1b", "#3730a3", "#9ad1ff", "#b91c1c"),
        ),
    },
    font="serif", title_font="serif", size=52, title_size=80, shadow=False,
    transition={"type": "fadeblack", "duration": 0.6},
    words={"type": "lines", "from": "down", "stagger": 0.2},
    enter={"slide": "left", "duration": 0.8},
)  # fmt: skip

PLAYFUL = Style(
    name="playful",
    summary="bright candy gradients, text on white rounded stickers, words popping in",
    families={
        "positive": (
            _palette("candy", [["#ff6b6b", "#feca57"], ["#ff9ff3", "#feca57"],
                               ["#48dbfb", "#1dd1a1"], ["#f368e0", "#ff9f43"]],
                     "#1a1033", "#d6336c", "#7048e8", "#0b7285"),
        ),
        "neutral": (
            _palette("pool", [["#48dbfb", "#0abde3"], ["#1dd1a1", "#48dbfb"],
                              ["#a29bfe", "#74b9ff"], ["#55efc4", "#81ecec"]],
                     "#1a1033", "#7048e8", "#d6336c", "#0b7285"),
        ),
        "negative": (
            _palette("plum", [["#6c5b7b", "#355c7d"], ["#c06c84", "#6c5b7b"],
                              ["#355c7d", "#2a9d8f"], ["#8e7dbe", "#6c5b7b"]],
                     "#1a1033", "#7048e8", "#0b7285", "#c2255c"),
        ),
    },
    font="sans", title_font="sans", size=52, title_size=80, shadow=False, box="#ffffff",
    radius=28, transition={"type": "slideleft", "duration": 0.5},
    words={"type": "words", "mode": "pop"},
    enter={"pop": 0.6},
)  # fmt: skip

STYLES = {s.name: s for s in (BOLD, MINIMAL, EDITORIAL, PLAYFUL)}
DEFAULT_STYLE = BOLD.name


def style_named(name: str) -> Style:
    """The style called ``name``; an unknown name is a ValueError with a did-you-mean."""
    found = STYLES.get(name.strip().lower())
    if found is not None:
        return found
    close = difflib.get_close_matches(name.strip().lower()[:64], list(STYLES), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown style {name[:64]!r}{hint} (styles: {', '.join(STYLES)})")
