"""Word timing from a neural voice's phoneme timing.

A Piper voice reports how many samples each phoneme of a sentence took, but not which words
the phonemes came from: espeak-ng phonemizes the sentence as a whole and joins or splits
words as it reads them ("in the" becomes one group, "3.5" three). Each word is also
phonemized on its own; an edit-distance alignment of the two phoneme strings gives every
timed phoneme the word it belongs to, in order, so word times can only move forward. Pure
Python: it runs inside the speech worker, and tests call it directly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Stress marks carry time in Piper (each phoneme id has a duration) but are dropped or moved
#: between a word read alone and in a sentence: their time goes to the sound after them.
_STRESS = frozenset("ˈˌ")
#: Symbols that are not sounds of a word: word breaks, punctuation, Piper's start/end marks.
_BREAKS = frozenset(" ,.;:!?¡¿—–-…\"'()[]^$_")
#: Above this many alignment cells (phonemes × phonemes) a sentence gets no word timing:
#: the alignment is quadratic, and a sentence that long is not a caption line anyway.
MAX_CELLS = 2_000_000

_WORD = re.compile(r"\S+")
_EDGE = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class Word:
    #: Character offsets into the text: text[start:end] is the word (edge punctuation left out).
    start: int
    end: int
    #: The whole token as written (with its punctuation), which is what gets phonemized.
    token: str


def words(text: str) -> list[Word]:
    """The words of a text: whitespace-separated tokens that contain a letter or digit."""
    found = []
    for match in _WORD.finditer(text):
        token = match.group()
        inner = _EDGE.sub("", token)
        if not inner:
            continue
        start = match.start() + token.index(inner)
        found.append(Word(start, start + len(inner), token))
    return found


@dataclass(frozen=True)
class Timed:
    """One phoneme as spoken: its symbol and its samples [start, end) in the WAV."""

    symbol: str
    start: int
    end: int


def _sounds(timed: Sequence[Timed]) -> list[Timed]:
    """The sounds of a spoken sentence, each stress mark's time given to the sound after it."""
    sounds: list[Timed] = []
    pending: int | None = None
    for phoneme in timed:
        if phoneme.symbol in _STRESS:
            pending = phoneme.start if pending is None else pending
        elif phoneme.symbol in _BREAKS or not phoneme.symbol.strip():
            pending = None
        else:
            start = phoneme.start if pending is None else pending
            sounds.append(Timed(phoneme.symbol, start, phoneme.end))
            pending = None
    return sounds


def _align(spoken: Sequence[str], read: Sequence[str]) -> list[int | None]:
    """For each spoken symbol, the index of the read symbol it matches (None: inserted)."""
    n, m = len(spoken), len(read)
    previous = list(range(m + 1))
    moves = [bytearray(m + 1) for _ in range(n + 1)]  # 0 diagonal, 1 up (spoken), 2 left
    moves[0] = bytearray([2] * (m + 1))
    for i in range(1, n + 1):
        current = [i] + [0] * m
        row = moves[i]
        row[0] = 1
        symbol = spoken[i - 1]
        for j in range(1, m + 1):
            diagonal = previous[j - 1] + (symbol != read[j - 1])
            up = previous[j] + 1
            left = current[j - 1] + 1
            if diagonal <= up and diagonal <= left:
                current[j] = diagonal
            elif up <= left:
                current[j], row[j] = up, 1
            else:
                current[j], row[j] = left, 2
        previous = current
    matched: list[int | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        move = moves[i][j]
        if move == 0:
            matched[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif move == 1:
            i -= 1
        else:
            j -= 1
    return matched


def word_times(
    text_words: Sequence[Word],
    word_phonemes: Sequence[Sequence[str]],
    timed: Sequence[Timed],
    rate: int,
) -> list[dict[str, float | int]] | None:
    """``{start, end, from, to}`` of each word that was heard (seconds; character offsets),
    in order and without overlaps; None when the sentence is too long to align."""
    sounds = _sounds(timed)
    read: list[str] = []
    owner: list[int] = []
    for index, phonemes in enumerate(word_phonemes):
        for symbol in phonemes:
            if symbol not in _STRESS and symbol not in _BREAKS and symbol.strip():
                read.append(symbol)
                owner.append(index)
    if len(sounds) * len(read) > MAX_CELLS:
        return None
    matched = _align([s.symbol for s in sounds], read)
    labels: list[int | None] = [None if j is None else owner[j] for j in matched]
    # A sound read only in the sentence belongs to the word before it (or, at the very
    # start, to the first word): labels stay in order either way.
    last: int | None = next((label for label in labels if label is not None), None)
    for position, label in enumerate(labels):
        if label is None:
            labels[position] = last
        else:
            last = label
    spans: dict[int, tuple[int, int]] = {}
    for sound, label in zip(sounds, labels, strict=True):
        if label is None:
            continue
        start, end = spans.get(label, (sound.start, sound.end))
        spans[label] = (min(start, sound.start), max(end, sound.end))
    order = sorted(spans)
    # Between two words read on without a pause, the word break (a space, which Piper also
    # gives time) is shared: the words meet in its middle. A pause (punctuation) stays a gap.
    pauses = [p.start for p in timed if p.symbol in _BREAKS and p.symbol.strip()]
    for before, after in itertools.pairwise(order):
        end, start = spans[before][1], spans[after][0]
        if end < start and not any(end <= p < start for p in pauses):
            middle = (end + start) // 2
            spans[before] = (spans[before][0], middle)
            spans[after] = (middle, spans[after][1])
    return [
        {
            "start": spans[index][0] / rate,
            "end": spans[index][1] / rate,
            "from": text_words[index].start,
            "to": text_words[index].end,
        }
        for index in order
    ]
