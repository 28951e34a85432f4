"""Cutting text into graphemes: what a reader sees as one character.

A letter with its combining marks, an emoji with its skin tone or variation selector, an emoji
ZWJ sequence (👩‍👩‍👧), a flag (two regional indicators), a Hangul syllable spelled in jamo and an
Indic consonant cluster joined by a virama each stay whole, so a typewriter never shows half
of one. This follows the rules of Unicode's extended grapheme clusters (UAX #29) that matter
for drawn text, with the standard library's ``unicodedata`` only (no ``regex`` module).
"""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """Joins the character before it (GB9, GB9a): marks, joiners, variation selectors, emoji
    skin tones and tag characters."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # emoji modifiers (skin tones)
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _jamo(char: str) -> str:
    """The Hangul syllable type of ``char``: L, V, T, LV, LVT, or '' for none."""
    code = ord(char)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97F:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _hangul_joins(before: str, after: str) -> bool:
    """GB6-GB8: jamo that spell one syllable."""
    a, b = _jamo(before), _jamo(after)
    return (
        (a == "L" and b in ("L", "V", "LV", "LVT"))
        or (a in ("LV", "V") and b in ("V", "T"))
        or (a in ("LVT", "T") and b == "T")
    )


def graphemes(text: str) -> list[str]:
    """``text`` cut into graphemes; joined back, they are ``text``."""
    out: list[str] = []
    regional_run = 0  # regional indicators in a row: each pair is one flag (GB12, GB13)
    for char in text:
        if not out:
            out.append(char)
            regional_run = 1 if _regional(char) else 0
            continue
        previous = out[-1][-1]
        joins = (
            (previous == "\r" and char == "\n")
            or _extends(char)
            or (previous == _ZWJ and len(out[-1]) > 1)  # an emoji ZWJ sequence (GB11)
            or _hangul_joins(previous, char)
            or (_regional(char) and regional_run % 2 == 1)
            # A consonant after a virama joins its cluster (GB9c, Indic conjuncts).
            or (unicodedata.combining(previous) == 9 and unicodedata.category(char) == "Lo")
        )
        regional_run = regional_run + 1 if _regional(char) else 0
        if (joins and previous not in "\r\n") or (previous == "\r" and char == "\n"):
            out[-1] += char
        else:
            out.append(char)
    return out
