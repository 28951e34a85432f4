"""Cutting a script into headings, sentences and lists (English and Chinese punctuation)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.resolve.narration import sentences


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "sentence" or "list"
    text: str  # what is said (a list: its lead and items, a line each)
    language: str  # "zh" or "en"
    paragraph: int
    #: A list's items, and the sentence that introduced it ("What you get:"), if any.
    items: tuple[str, ...] = ()
    lead: str = ""


def language_of(text: str) -> str:
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    return "zh" if han >= max(1, len(text.strip()) // 4) else "en"


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MARKUP = re.compile(r"(\*\*|__|\*|_|`)")
#: A list item: `- x`, `* x`, `+ x`, `• x`, `1. x`, `1) x`, `1、x`, `一、x`.
_ITEM = re.compile(
    r"^\s{0,3}(?:[-*+•·]\s+|\d{1,3}[.)]\s+|\d{1,3}、\s*|[一二三四五六七八九十]{1,3}、\s*)(\S.*)$"
)
#: A full stop between digits (45.5) ends no sentence.
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_KEEP = "\u2024"  # ONE DOT LEADER stands in for it while the text is cut


def split_sentences(text: str) -> list[str]:
    """Sentences as narration cuts them, except that a decimal point ends none."""
    return [s.replace(_KEEP, ".") for s in sentences(_DECIMAL.sub(_KEEP, text))]


def _is_lead(block: Block) -> bool:
    return block.kind == "sentence" and block.text.rstrip().endswith((":", "："))


def parse_script(text: str) -> list[Block]:
    """Markdown headings become title cards, list items (with the sentence ending in a colon
    just before them) list cards, and every other paragraph is cut into sentences."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []
    number = 0

    def flush() -> None:
        nonlocal number
        joined = " ".join(line.strip() for line in paragraph).strip()
        paragraph.clear()
        if joined:
            number += 1
            for sentence in split_sentences(_MARKUP.sub("", joined)):
                blocks.append(Block("sentence", sentence, language_of(sentence), number))
        if items:
            lead = blocks.pop().text if blocks and _is_lead(blocks[-1]) else ""
            if not lead:
                number += 1
            said = "\n".join([lead, *items] if lead else items)
            blocks.append(
                Block("list", said, language_of(said), number, items=tuple(items), lead=lead)
            )
            items.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        heading = _HEADING.match(line)
        item = _ITEM.match(line)
        if heading:
            flush()
            title = _MARKUP.sub("", heading.group(1)).strip()
            if title:
                number += 1
                blocks.append(Block("heading", title, language_of(title), number))
        elif item:
            if paragraph:  # the text just before the first item is its own paragraph
                flush()
            items.append(_MARKUP.sub("", item.group(1)).strip())
        elif not line.strip():
            flush()
        elif items:  # a line after the items: it ends the list
            flush()
            paragraph.append(line)
        else:
            paragraph.append(line)
    flush()
    return blocks
