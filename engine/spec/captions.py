"""Captions: where their cues come from, how they show (sentence by sentence, line by line,
word by word, karaoke), and where they go (sidecar files, the picture, a track in the file)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.spec.common import MAX_MARGIN, Anchor, Color, Model, PathStr, TextStyle

#: How the words of a cue show: the whole cue at once, one line at a time, each word as it
#: is spoken, or the whole cue with the spoken word lit.
CaptionMode = Literal["sentence", "lines", "words", "karaoke"]


def _both_sidecars() -> list[Literal["srt", "vtt"]]:
    return ["srt", "vtt"]


class CaptionHighlight(Model):
    """How karaoke captions light the word being spoken."""

    color: Color = Field("#ffd400", description="The spoken word's color.")
    box: Color | None = Field(
        None, description="A rounded box behind the spoken word (its color), or none."
    )
    pop: float = Field(
        1.0, ge=1.0, le=2.0, description="The spoken word drawn this much larger (1: not)."
    )


class Subtitles(Model):
    """Timed captions: from the narration (sentences, and the words' timing from the speech
    engine), or from an existing .srt file."""

    src: PathStr | None = Field(None, description="An .srt file; default: the narration's text.")
    files: list[Literal["srt", "vtt"]] = Field(
        default_factory=_both_sidecars,
        max_length=2,
        description="Sidecar files beside the output.",
    )
    burn: bool = Field(False, description="Draw the captions into the picture.")
    track: bool = Field(
        False,
        description="Also put the captions in the file as a subtitle track (mov_text in "
        "MP4/MOV, WebVTT in WebM/MKV).",
    )
    language: str | None = Field(
        None,
        pattern=r"^[a-z]{3}$",
        description="The track's language, an ISO 639-2 code (eng, zho, ...); default: the "
        "narration's voice's language.",
    )
    mode: CaptionMode = Field(
        "sentence",
        description="sentence: the cue at once; lines: one line at a time; words: each word "
        "appears as it is spoken; karaoke: the spoken word is lit.",
    )
    highlight: CaptionHighlight = Field(default_factory=CaptionHighlight)
    style: TextStyle = Field(default_factory=TextStyle)
    position: Anchor = "bottom"
    margin: int = Field(40, ge=0, le=MAX_MARGIN)
    max_chars: int = Field(42, ge=10, le=200, description="Characters per caption line.")
    max_lines: int = Field(2, ge=1, le=4, description="Lines per caption.")
