"""Subtitle cues: built from narration timing or read from .srt, split into readable pieces,
and written as SRT or WebVTT text. Pure functions; the pipeline writes the files."""

from __future__ import annotations

import re
from fractions import Fraction

from engine.errors import MediaError
from engine.resolved import Cue


def split_long(cue: Cue, max_chars: int, max_lines: int = 2) -> list[Cue]:
    """Cut a cue whose text needs more than ``max_lines`` lines of ``max_chars`` into pieces
    shown one after another, each given time in proportion to its length."""
    limit = max_chars * max_lines
    text = " ".join(cue.text.split()) if " " in cue.text else cue.text.strip()
    if len(text) <= limit:
        return [Cue(cue.start, cue.end, wrap_lines(text, max_chars))]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        cut = cut if cut > limit // 2 else limit  # no space near the limit (CJK): cut there
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    total = sum(len(p) for p in pieces)
    out, position = [], cue.start
    for piece in pieces:
        length = (cue.end - cue.start) * len(piece) / total
        out.append(Cue(position, position + length, wrap_lines(piece, max_chars)))
        position += length
    return out


def wrap_lines(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars + 1)
    if cut <= max_chars // 2:
        cut = max_chars
    return text[:cut].rstrip() + "\n" + wrap_lines(text[cut:].lstrip(), max_chars)


def _clock(seconds: Fraction, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(cues: list[Cue]) -> str:
    blocks = [
        f"{i}\n{_clock(c.start, ',')} --> {_clock(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: list[Cue], word_times: bool = False) -> str:
    """WebVTT; with ``word_times``, a timestamp tag before each word spoken after its cue
    starts (``<00:00:01.250>word``): players that support them reveal or light words as
    they are spoken."""
    blocks = [
        f"{_clock(c.start, '.')} --> {_clock(c.end, '.')}\n"
        f"{_timed_text(c) if word_times else _vtt_text(c.text)}\n"
        for c in cues
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _vtt_text(text: str) -> str:
    """Cue text as WebVTT reads it: ``&``, ``<`` and ``>`` escaped, no blank line (which
    would end the cue) and no ``-->``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\n\s*\n", "\n", text)


def _timed_text(cue: Cue) -> str:
    out, position = [], 0
    for word in cue.words:
        out.append(_vtt_text(cue.text[position : word.first]))
        if cue.start < word.start < cue.end:
            out.append(f"<{_clock(word.start, '.')}>")
        out.append(_vtt_text(cue.text[word.first : word.last]))
        position = word.last
    out.append(_vtt_text(cue.text[position:]))
    return "".join(out)


#: hh:mm:ss,mmm (hours of up to six digits: no .srt runs longer than a century).
_TIME = re.compile(r"(?<!\d)(\d{1,6}):(\d{2}):(\d{2})[,.](\d{3})")


def parse_srt(text: str, name: str) -> list[Cue]:
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.strip().splitlines()
        arrow = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if arrow is None:
            continue
        times = _TIME.findall(lines[arrow])
        if len(times) != 2:
            shown = lines[arrow] if len(lines[arrow]) <= 80 else lines[arrow][:80] + "…"
            raise MediaError(f"{name}: cannot read the times in {shown!r}")
        start, end = (
            Fraction(int(h) * 3600 + int(m) * 60 + int(s)) + Fraction(int(ms), 1000)
            for h, m, s, ms in times
        )
        cues.append(Cue(start, end, "\n".join(lines[arrow + 1 :]).strip()))
    if not cues:
        raise MediaError(f"{name}: no subtitles found")
    return cues
