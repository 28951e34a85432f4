"""How text comes on screen: ``animate:`` on a text layer or overlay.

Each kind reveals the card's fully laid-out text (no reflow while it reveals) over time, from
``delay`` seconds after the layer starts; ``easing`` names the curve of its motion
(engine/easing.py). ``animate: typewriter`` is short for ``animate: {type: typewriter}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from engine.easing import EasingName
from engine.spec.common import MAX_LENGTH_PX, Color, Model, PositiveSeconds, Seconds

#: Characters a second a typewriter may type.
MAX_SPEED = 10_000.0

KINDS = ("typewriter", "words", "lines", "pop", "highlight")


class _Animation(Model):
    delay: Seconds = Field(0.0, description="Seconds after the layer starts.")
    easing: EasingName | None = Field(
        None,
        description="The curve of the motion: linear, ease-in/out/in-out-quad|cubic|sine|expo|"
        "back (each kind has its own default).",
    )


class Typewriter(_Animation):
    """Characters (graphemes: a letter with its marks, an emoji sequence) one by one."""

    type: Literal["typewriter"]
    speed: float | None = Field(
        None, gt=0, le=MAX_SPEED, description="Characters per second (default 20)."
    )
    duration: PositiveSeconds | None = Field(None, description="Type it all in this long.")
    cursor: bool | Annotated[str, Field(min_length=1, max_length=8)] = Field(
        False, description="A cursor after the last character while typing: true ('|') or text."
    )

    @model_validator(mode="after")
    def _one_pace(self) -> Typewriter:
        if self.speed is not None and self.duration is not None:
            raise ValueError("give speed (characters per second) or duration, not both")
        return self

    @field_validator("cursor")
    @classmethod
    def _printable(cls, value: bool | str) -> bool | str:
        if isinstance(value, str) and (not value.strip() or not value.isprintable()):
            raise ValueError("a cursor is printable text, such as '|' or '_'")
        return value

    @property
    def cursor_text(self) -> str | None:
        return "|" if self.cursor is True else (self.cursor or None)


class Words(_Animation):
    """Word by word (a CJK character is a word): each starts ``per_word`` after the last."""

    type: Literal["words"]
    per_word: PositiveSeconds | None = Field(
        None, description="Seconds between words (default 0.3)."
    )
    duration: PositiveSeconds | None = Field(
        None, description="Start every word within this long (per_word = duration / words)."
    )
    mode: Literal["appear", "fade", "pop", "rise"] = "fade"
    fade: Seconds | None = Field(
        None, description="How long each word's fade, pop or rise takes (default 0.25)."
    )
    distance: int | None = Field(
        None, ge=0, le=MAX_LENGTH_PX, description="How far a word rises, in pixels."
    )

    @model_validator(mode="after")
    def _one_pace(self) -> Words:
        if self.per_word is not None and self.duration is not None:
            raise ValueError("give per_word or duration, not both")
        return self


class Lines(_Animation):
    """Each line slides in (and fades in) from one side, ``stagger`` after the one above."""

    type: Literal["lines"]
    from_: Literal["up", "down", "left", "right"] = Field(
        "down", alias="from", description="Where each line comes from."
    )
    distance: int = Field(40, ge=0, le=MAX_LENGTH_PX, description="Pixels each line travels.")
    stagger: Seconds = Field(0.15, description="Seconds between the starts of two lines.")
    duration: PositiveSeconds = Field(0.5, description="Seconds each line's motion takes.")
    fade: bool = Field(True, description="Fade each line in as it moves.")

    model_config = Model.model_config | {"populate_by_name": True}


class Pop(_Animation):
    """The whole card grows from ``scale`` to full size, overshooting a little."""

    type: Literal["pop"]
    duration: PositiveSeconds = 0.5
    scale: float = Field(0.0, ge=0, lt=1, description="The card's size when it starts.")


class Highlight(_Animation):
    """A marker sweeps across the highlighted words (all the text when none are listed)."""

    type: Literal["highlight"]
    duration: PositiveSeconds = 0.8
    mode: Literal["band", "recolor"] = Field(
        "band", description="band: a band grows behind the words; recolor: the words change color."
    )
    color: Color | None = Field(
        None, description="The band's color (default #ffd400) or the words' (style.highlight)."
    )


def _shorthand(value: Any) -> Any:
    """``animate: typewriter`` is ``animate: {type: typewriter}``."""
    return {"type": value} if isinstance(value, str) else value


def _schema_shorthand(schema: dict[str, Any]) -> None:
    """The JSON Schema of ``animate`` also takes a kind's name alone."""
    schema["anyOf"] = [{"enum": list(KINDS), "type": "string"}, *schema.pop("anyOf", [])]


TextAnimation = Annotated[
    Typewriter | Words | Lines | Pop | Highlight,
    Field(discriminator="type"),
    BeforeValidator(_shorthand),
]

#: What ``animate`` may hold: a kind's name, or a mapping with its ``type`` and options.
ANIMATE_FIELD: Any = Field(
    None,
    description="Reveal the text over time: typewriter, words, lines, pop or highlight "
    "(a name, or {type, ...options}).",
    json_schema_extra=_schema_shorthand,
)


def default_easing(animation: Typewriter | Words | Lines | Pop | Highlight) -> str:
    """The curve an animation moves by when it names none."""
    if animation.easing is not None:
        return animation.easing
    if isinstance(animation, Pop) or (isinstance(animation, Words) and animation.mode == "pop"):
        return "ease-out-back"
    if isinstance(animation, Words) and animation.mode == "fade":
        return "linear"
    if isinstance(animation, (Lines, Words)):
        return "ease-out-cubic"
    if isinstance(animation, Highlight):
        return "ease-in-out-sine"
    return "linear"
