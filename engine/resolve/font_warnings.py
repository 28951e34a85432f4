"""What a text's fonts draw otherwise than its style asks: a face with no bold or italic, a
script drawn by a fallback font of another kind (serif Chinese drawn sans). The text is still
drawn; these become warnings at the style's fields (ResolveContext.warn)."""

from __future__ import annotations

from engine.resolve.text_layout import FontChain
from engine.resolve.text_style import ResolvedTextStyle
from engine.spec.common import TextStyle

_KINDS = {"sans": "sans-serif", "serif": "serif", "mono": "monospace"}
#: Characters of a text quoted in a warning.
_SAMPLE = 24


def fallback_warnings(
    text: str, style: TextStyle, resolved: ResolvedTextStyle
) -> list[tuple[str, str]]:
    """(field of the style, message) for each way ``text`` is drawn otherwise than ``style``
    (merged over the defaults) asks."""
    from engine.resolve.text_card import card_text

    chain = FontChain(resolved.faces, 12)
    used: dict[int, list[str]] = {}
    for line in card_text(text).split("\n"):
        for piece, index in chain.runs(line):
            if piece.strip():
                used.setdefault(index, []).append(piece.strip())
    bold, italic = style.weight == "bold", bool(style.italic)
    family = style.font or "sans"
    primary = resolved.faces[0]
    out: list[tuple[str, str]] = []
    for index in sorted(used):
        face = resolved.faces[index]
        sample = _sample(used[index])
        where = f" for {sample}" if index else ""
        if bold and not face.bold:
            out.append(
                ("weight", f"bold is not available{where} in {face.label}; drawn in regular")
            )
        if italic and not face.italic:
            out.append(("italic", f"italic is not available{where} in {face.label}; drawn upright"))
        if index and face.kind != primary.kind:
            kind = _KINDS.get(face.kind)
            hint = ""
            if primary.kind == "serif" and "CJK" in face.label:
                hint = " (no serif Chinese, Japanese or Korean font is installed)"
            out.append(
                (
                    "font",
                    f"font {family!r} has no glyphs for {sample}; drawn with {face.label}"
                    + (f", a {kind} font" if kind else "")
                    + hint,
                )
            )
    return out


def _sample(pieces: list[str]) -> str:
    shown = " ".join(dict.fromkeys(pieces))
    return repr(shown[:_SAMPLE] + ("…" if len(shown) > _SAMPLE else ""))
