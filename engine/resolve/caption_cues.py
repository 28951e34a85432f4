"""Captions cut from timed words: lines of at most ``max_chars`` characters, cues of at most
``max_lines`` lines (one line each for line-by-line captions), every cue timed by its words.

Pure functions. A cue shows from its first word's start (a sentence's first cue: from the
sentence's start) until the next cue of its sentence starts, the last until the sentence
ends; its words keep their own times, for word-by-word and karaoke captions and for the
WebVTT timestamps.
"""

from __future__ import annotations

import unicodedata
from fractions import Fraction

from engine.resolved import Cue, SpokenWord


def _joiner(sentence: str, before: SpokenWord, after: SpokenWord) -> str:
    """What stands between two words on a line: a space where the text had white space,
    nothing where they were written together (Chinese words)."""
    return (
        " "
        if sentence[before.last : after.first].strip() != sentence[before.last : after.first]
        else ""
    )


def columns(text: str) -> int:
    """How wide ``text`` reads, in the columns ``max_chars`` counts: a Chinese, Japanese or
    Korean character (East Asian wide) takes two, as on a subtitle line it does."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _lines(sentence: str, words: tuple[SpokenWord, ...], max_chars: int) -> list[list[SpokenWord]]:
    """Words filled into lines of at most ``max_chars`` columns (a longer word has a line
    alone)."""
    lines: list[list[SpokenWord]] = []
    width = 0
    for word in words:
        if lines and lines[-1]:
            gap = len(_joiner(sentence, lines[-1][-1], word))
            if width + gap + columns(word.text) <= max_chars:
                lines[-1].append(word)
                width += gap + columns(word.text)
                continue
        lines.append([word])
        width = columns(word.text)
    return lines


def sentence_cues(
    sentence: str,
    span: tuple[Fraction, Fraction],
    words: tuple[SpokenWord, ...],
    max_chars: int,
    max_lines: int,
) -> list[Cue]:
    """The cues of one sentence spoken over ``span`` (timeline seconds), its ``words`` timed
    on the timeline too."""
    if not words:
        return [Cue(span[0], span[1], sentence.strip())] if sentence.strip() else []
    lines = _lines(sentence, words, max_chars)
    groups = [lines[i : i + max_lines] for i in range(0, len(lines), max_lines)]
    cues: list[Cue] = []
    for index, group in enumerate(groups):
        text = ""
        placed: list[SpokenWord] = []
        for number, line in enumerate(group):
            if number:
                text += "\n"
            for position, word in enumerate(line):
                if position:
                    text += _joiner(sentence, line[position - 1], word)
                placed.append(
                    SpokenWord(
                        word.start, word.end, word.text, len(text), len(text) + len(word.text)
                    )
                )
                text += word.text
        start = span[0] if index == 0 else group[0][0].start
        end = groups[index + 1][0][0].start if index + 1 < len(groups) else span[1]
        cues.append(Cue(start, max(end, start), text, tuple(placed)))
    return cues


def words_by_length(text: str, start: Fraction, end: Fraction) -> tuple[SpokenWord, ...]:
    """The shown words of a cue whose words' times are not known (an .srt file's), sharing
    its time by their lengths."""
    from engine.resolve.word_timing import shown_words, starts_by_length

    ranges = shown_words(text)
    starts = [start + s for s in starts_by_length(ranges, end - start)] + [end]
    return tuple(
        SpokenWord(starts[i], starts[i + 1], text[first:last], first, last)
        for i, (first, last) in enumerate(ranges)
    )
