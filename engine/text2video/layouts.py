"""Which layout a block of the script gets, from what it says: a title (a heading, or the
first scene), a list (Markdown items, or "three things: a, b and c"), a big number (a short
sentence about one figure: "Sales grew 45%"), a quote (mostly words in quotation marks), a
picture with a caption (a picture matched its keywords) or a plain statement."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.text2video.script import Block

TITLE, LIST, NUMBER, QUOTE, IMAGE, STATEMENT = (
    "title", "list", "number", "quote", "image", "statement",
)  # fmt: skip
LAYOUTS = (TITLE, LIST, NUMBER, QUOTE, IMAGE, STATEMENT)


@dataclass(frozen=True)
class Layout:
    kind: str
    #: number: the figure as shown ("45%", "$1.2 million").
    figure: str = ""
    #: quote: the words quoted, and who said them (the rest of the sentence), if anyone.
    quote: str = ""
    attribution: str = ""
    #: list: the items, and the words introducing them.
    items: tuple[str, ...] = ()
    lead: str = ""


_UNIT = r"%|％|percent\b|per cent\b|x\b|×|倍|万|亿|k\b|K\b|bn\b|million\b|billion\b|thousand\b"
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.,])(?P<cur>[$€£¥])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?"
    rf"(?:\s?(?P<unit>{_UNIT}))?"
)
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|「([^」]+)」|『([^』]+)』|«([^»]+)»")
#: "says our lead photographer" → "our lead photographer".
_SAID = re.compile(r"^(?:says|said|writes|wrote|according to|—|–|-)\s+", re.IGNORECASE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ENUMERATION = re.compile(r"^(?P<lead>[^:：]{2,80})[:：]\s*(?P<rest>.+)$")
_ITEM_SPLIT = re.compile(r"\s*(?:[,，、;；]|\band\b|\bor\b|以及|和|及)\s*")
_TRIM = " \t,.;:!?。，；：！？、—–-…\"'“”「」『』«»"


def _words(text: str) -> int:
    """A length in words: Latin words, and Chinese characters counted two to a word."""
    han = len(_HAN.findall(text))
    return len(re.findall(r"[A-Za-z0-9]+", text)) + (han + 1) // 2


def figure_of(text: str) -> str | None:
    """The one figure a short sentence is about ("Sales grew 45%" → "45%"), or None: no
    figure, several, a bare year or one-digit count, or a sentence too long to be about it."""
    found = list(_NUMBER.finditer(text))
    if not found or len(found) > 2 or _words(text) > 16:
        return None

    def weight(m: re.Match[str]) -> int:
        digits = len(m.group("num").replace(",", ""))
        year = (
            not m.group("unit")
            and not m.group("cur")
            and re.fullmatch(r"(19|20)\d\d", m.group("num"))
        )
        if m.group("unit") or m.group("cur"):
            return 3
        return 0 if year or digits < 2 else 1

    best = max(found, key=weight)  # the first of the weightiest
    if weight(best) == 0 or sum(weight(m) == weight(best) for m in found) > 1:
        return None
    unit = best.group("unit") or ""
    unit = {"percent": "%", "per cent": "%", "％": "%"}.get(unit.lower(), unit)
    space = " " if unit.isascii() and unit.isalpha() and len(unit) > 2 else ""
    decimals = f".{best.group('dec')}" if best.group("dec") else ""
    return f"{best.group('cur') or ''}{best.group('num')}{decimals}{space}{unit}"


def quote_of(text: str) -> tuple[str, str] | None:
    """(the words quoted, who said them) when most of the sentence is a quotation."""
    match = _QUOTED.search(text)
    if match is None:
        return None
    quoted = next(g for g in match.groups() if g is not None).strip(" ,")
    if _words(quoted) < 2 or len(quoted) < 0.4 * len(text.strip()):
        return None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(_TRIM)
    rest = re.sub(r"\s+", " ", rest).strip(_TRIM)
    return quoted, _SAID.sub("", rest, count=1)


def enumeration_of(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(lead, items) of "We offer three things: speed, size and price." (3 to 8 short items)."""
    match = _ENUMERATION.match(text.strip())
    if match is None:
        return None
    rest = match.group("rest").strip(_TRIM)
    items = tuple(i.strip(_TRIM) for i in _ITEM_SPLIT.split(rest) if i.strip(_TRIM))
    if not 3 <= len(items) <= 8 or any(_words(i) > 6 for i in items):
        return None
    return match.group("lead").strip() + text.strip()[match.end("lead")], items


def choose(block: Block, first: bool, pictured: bool) -> Layout:
    """The layout of ``block``; ``first``: it opens the video; ``pictured``: a picture
    matched it (its background, whatever the layout)."""
    if block.kind == "heading":
        return Layout(TITLE)
    if block.kind == "list":
        return Layout(LIST, items=block.items, lead=block.lead)
    enumeration = enumeration_of(block.text)
    if enumeration is not None:
        return Layout(LIST, items=enumeration[1], lead=enumeration[0])
    figure = figure_of(block.text)
    if figure is not None:
        return Layout(NUMBER, figure=figure)
    quote = quote_of(block.text)
    if quote is not None:
        return Layout(QUOTE, quote=quote[0], attribution=quote[1])
    if pictured:
        return Layout(IMAGE)
    return Layout(TITLE if first else STATEMENT)
