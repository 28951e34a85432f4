"""The colours of one scene: its background from the script's palette (the family the mood
picks, a background in turn for each scene), and text and highlight colours picked for a
WCAG contrast of at least 4.5:1 against everything behind them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from engine.text2video.contrast import gradient_colors, readable
from engine.text2video.styles import Palette, Style

ANGLES = (120, 135, 100, 150)


@dataclass(frozen=True)
class Look:
    #: The background's colours (one: a solid card), and a gradient's angle.
    background: tuple[str, ...]
    angle: int
    ink: str
    accent: str
    #: An opaque box behind every text (its colour), or None: text on the background.
    box: str | None
    #: Colours written once in ``defaults.text``, so a scene names only what differs.
    default_ink: str
    default_accent: str

    @property
    def rule(self) -> str:
        """The accent rule's colour (decoration)."""
        return self.accent


def script_seed(script: str) -> int:
    """A number from the script's text alone, so the same script always looks the same."""
    return int.from_bytes(hashlib.sha256(script.encode("utf-8")).digest()[:4], "big")


def palette_for(style: Style, mood: str, seed: int) -> Palette:
    family = style.families[mood]
    return family[seed % len(family)]


def look_for(palette: Palette, style: Style, index: int, seed: int, pictured: bool) -> Look:
    """The look of the ``index``-th scene. Text on a picture sits in an opaque box of the
    scene's first background colour, so what is behind it is known."""
    backgrounds = palette.backgrounds
    background = backgrounds[(seed // 7 + index) % len(backgrounds)]
    box = style.box or (background[0] if pictured else None)
    behind = [box] if box is not None else gradient_colors(background)
    ink = readable(palette.ink, behind)
    accent = readable(palette.accents, behind, avoid=[ink])
    return Look(
        background=background,
        angle=ANGLES[(seed + index) % len(ANGLES)],
        ink=ink,
        accent=accent,
        box=box,
        default_ink=palette.ink[0],
        default_accent=palette.accents[0],
    )
