"""The layers of one scene: its background (a gradient, a solid card, or a matched picture
moving slowly, Ken Burns) and its text laid out as its layout says, coming in as its style
says. Colours come from the scene's Look, chosen for contrast (engine/text2video/look.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.layers import color, gradient, image, shape, text
from engine.text2video.layouts import IMAGE, LIST, NUMBER, QUOTE, TITLE, Layout
from engine.text2video.look import Look
from engine.text2video.styles import Style


@dataclass(frozen=True)
class Card:
    """What a scene's layers are made from."""

    text: str
    language: str
    layout: Layout
    look: Look
    style: Style
    #: The picture (relative to the spec) behind the text, if one matched.
    picture: str | None
    highlights: tuple[str, ...]
    #: The scene's place in the video (Ken Burns turns the other way every other picture).
    index: int
    scale: float
    #: Whether word-timed captions are burned in below: the spoken sentence is there, so a
    #: layout leaves it out where it only repeated it (and keeps clear of the captions).
    captioned: bool = False

    def px(self, size: float) -> int:
        return max(1, round(size * self.scale))


def layers(card: Card) -> list[dict[str, Any]]:
    out = [_background(card)]
    kind = card.layout.kind
    if kind == TITLE:
        out += _title(card)
    elif kind == LIST:
        out += _list(card)
    elif kind == NUMBER:
        out += _number(card)
    elif kind == QUOTE:
        out += _quote(card)
    elif kind == IMAGE:
        out += _caption(card)
    else:
        out.append(_text(card, card.text, {}, card.highlights, _reveal(card)))
    return out


def _background(card: Card) -> dict[str, Any]:
    look = card.look
    if card.picture is not None:
        # Ken Burns: in and left-to-right, then out and right-to-left, in turn.
        forward = card.index % 2 == 0
        zoom = (1.0, 1.12) if forward else (1.12, 1.0)
        pan = ([0.3, 0.4], [0.7, 0.6]) if forward else ([0.7, 0.6], [0.3, 0.4])
        return {
            "type": image.TYPE.name,
            "src": card.picture,
            "fit": "cover",
            "zoom": {"from": zoom[0], "to": zoom[1]},
            "pan": {"from": pan[0], "to": pan[1]},
        }
    if len(look.background) == 1:
        return {"type": color.TYPE.name, "color": look.background[0]}
    return {"type": gradient.TYPE.name, "colors": list(look.background), "angle": look.angle}


def _words_duration(card: Card, words: str) -> float:
    """How long a word-by-word entrance takes: a tenth of a second a word, at most 1.5 s."""
    count = len(words.split()) if card.language == "en" else len(words)
    return round(min(1.5, max(0.4, 0.1 * count)), 2)


def _reveal(card: Card, words: str | None = None) -> dict[str, Any]:
    animate = dict(card.style.words)
    if animate["type"] == "words":
        animate["duration"] = _words_duration(card, card.text if words is None else words)
    return animate


def _style(card: Card, extra: dict[str, Any], accent_ink: bool = False) -> dict[str, Any]:
    """A text's style: what the layout sets, and the scene's colours where they differ from
    ``defaults.text``; an opaque box where the look has one."""
    look = card.look
    out = dict(extra)
    ink = look.accent if accent_ink else look.ink
    if ink != look.default_ink:
        out["color"] = ink
    if look.accent != look.default_accent and not accent_ink:
        out["highlight"] = look.accent
    if look.box is not None:
        out["box"] = {
            "color": look.box,
            "padding": card.px(22),
            "radius": card.px(card.style.radius),
        }
    return out


def _text(
    card: Card,
    words: str,
    style: dict[str, Any],
    highlights: tuple[str, ...] = (),
    animate: dict[str, Any] | None = None,
    accent_ink: bool = False,
    **place: Any,
) -> dict[str, Any]:
    layer: dict[str, Any] = {"type": text.TYPE.name, "text": words}
    layer.update(place)
    drawn = _style(card, style, accent_ink)
    if drawn:
        layer["style"] = drawn
    shown = [h for h in highlights if h.lower() in words.lower()]
    if shown:
        layer["highlights"] = shown
    if animate:
        layer["animate"] = animate
    return layer


def _bar(card: Card, **place: Any) -> dict[str, Any]:
    """A short accent rule, drawn in (decoration: not text, so not held to contrast)."""
    return {
        "type": shape.TYPE.name,
        "shape": "rect",
        "width": card.px(140),
        "height": card.px(8),
        "radius": card.px(4),
        "fill": card.look.rule,
        **place,
        "enter": dict(card.style.enter),
    }


def _title(card: Card) -> list[dict[str, Any]]:
    style = {"size": card.px(card.style.title_size), "weight": "bold"}
    if card.style.title_font != card.style.font:
        style["font"] = card.style.title_font
    return [
        _text(card, card.text, style, (), _reveal(card), offset=[0, -card.px(20)]),
        _bar(card, position="bottom", margin=card.px(150)),
    ]


def _caption(card: Card) -> list[dict[str, Any]]:
    """A picture with the sentence in a lower third; under burned captions, the words that
    matched it as a tag in the corner instead (the captions say the sentence)."""
    if card.captioned:
        if not card.highlights:
            return []
        tag = " · ".join(card.highlights)
        return [
            _text(
                card,
                tag,
                {"size": card.px(card.style.size * 0.7), "weight": "bold", "max_width": 0.6},
                (),
                _reveal(card, tag),
                position="top-left",
                margin=card.px(48),
            )
        ]
    return [_sentence_below(card, 0.8, 0.86, 48)]


def _sentence_below(card: Card, share: float, max_width: float, margin: int) -> dict[str, Any]:
    """The scene's sentence at the bottom of the frame, ``share`` of the style's size."""
    return _text(
        card,
        card.text,
        {"size": card.px(card.style.size * share), "max_width": max_width},
        card.highlights,
        _reveal(card),
        position="bottom",
        margin=card.px(margin),
    )


def _number(card: Card) -> list[dict[str, Any]]:
    big = {"size": card.px(190), "weight": "bold"}
    figure = _text(
        card,
        card.layout.figure,
        big,
        (),
        {"type": "pop", "duration": 0.6},
        accent_ink=True,
        offset=[0, -card.px(30 if card.captioned else 70)],
    )
    if card.captioned:  # the captions carry the sentence
        return [figure]
    return [figure, _sentence_below(card, 0.75, 0.8, 90)]


def _quote(card: Card) -> list[dict[str, Any]]:
    italic = card.language == "en"
    words = card.layout.quote
    out: list[dict[str, Any]] = []
    if card.look.box is None:
        out.append(
            _text(
                card,
                "“",
                {"size": card.px(240), "font": "serif", "weight": "bold"},
                accent_ink=True,
                position="top-left",
                margin=card.px(40),
                enter=dict(card.style.enter),
            )
        )
    else:
        words = f"“{words}”"
    style: dict[str, Any] = {"size": card.px(card.style.size * 1.05), "max_width": 0.76}
    if italic:
        style["italic"] = True
    out.append(_text(card, words, style, card.highlights, _reveal(card, words)))
    if card.layout.attribution:
        out.append(
            _text(
                card,
                f"— {card.layout.attribution}",
                {"size": card.px(34), "max_width": 0.7},
                animate={"type": "words", "mode": "fade", "delay": 0.6, "duration": 0.6},
                # Burned captions take the bottom of the frame.
                position="top-right" if card.captioned else "bottom-right",
                margin=card.px(60),
            )
        )
    return out


def _list(card: Card) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if card.layout.lead:
        out.append(
            _text(
                card,
                card.layout.lead,
                {"size": card.px(card.style.size * 0.9), "weight": "bold", "max_width": 0.86},
                card.highlights,
                position="top",
                margin=card.px(70),
            )
        )
    bullets = "\n".join(f"• {item}" for item in card.layout.items)
    out.append(
        _text(
            card,
            bullets,
            {
                "size": card.px(44 if len(card.layout.items) <= 5 else 34),
                "align": "left",
                "line_spacing": 1.45,
                "max_width": 0.8,
            },
            ("•", *card.highlights),
            {"type": "lines", "from": "left", "stagger": 0.3, "distance": card.px(60)},
            offset=[0, card.px(40) if card.layout.lead else 0],
        )
    )
    return out
