"""Cutting a script into headings and sentences (English and Chinese punctuation)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.resolve.narration import sentences


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" or "sentence"
    text: str
    language: str  # "zh" or "en"
    paragraph: int


def language_of(text: str) -> str:
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    return "zh" if han >= max(1, len(text.strip()) // 4) else "en"


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MARKUP = re.compile(r"(\*\*|__|\*|_|`)")


def parse_script(text: str) -> list[Block]:
    """Markdown headings become title cards; every paragraph is cut into sentences."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    number = 0

    def flush() -> None:
        nonlocal number
        joined = " ".join(line.strip() for line in paragraph).strip()
        paragraph.clear()
        if not joined:
            return
        number += 1
        for sentence in sentences(_MARKUP.sub("", joined)):
            blocks.append(Block("sentence", sentence, language_of(sentence), number))

    for line in text.replace("\r\n", "\n").split("\n"):
        heading = _HEADING.match(line)
        if heading:
            flush()
            title = _MARKUP.sub("", heading.group(1)).strip()
            if title:
                number += 1
                blocks.append(Block("heading", title, language_of(title), number))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return blocks
