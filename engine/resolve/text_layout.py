"""Measuring and wrapping text: a font with its fallbacks (:class:`FontChain`) measures a
line run by run, and :func:`wrap` breaks text into lines that fit a width."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from PIL import ImageFont

from engine.resolve.fonts import Face, coverage, open_face


def breaks_anywhere(char: str) -> bool:
    """CJK ideographs, kana and full-width forms may break between any two characters."""
    if not char:
        return False
    name = unicodedata.name(char, "")
    return unicodedata.east_asian_width(char) in ("W", "F") or name.startswith("CJK")


def _tokens(line: str) -> list[str]:
    """Split a line into unbreakable pieces: Latin words, single CJK characters, spaces."""
    tokens: list[str] = []
    word = ""
    for char in line:
        if char.isspace() or breaks_anywhere(char):
            if word:
                tokens.append(word)
                word = ""
            if char.isspace() and tokens and tokens[-1].isspace():
                tokens[-1] += char
            else:
                tokens.append(char)
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


class FontChain:
    """A font and its fallbacks at one size: each character is drawn with the first font in
    the chain that has a glyph for it, except that a word of one script (Devanagari, Arabic,
    Thai...) that one font has whole is drawn whole with that font, so it is shaped as one
    (its conjuncts formed, its letters joined)."""

    def __init__(self, faces: Sequence[Face | str], size: float) -> None:
        self.faces = tuple(f if isinstance(f, Face) else Face(f) for f in faces)
        self.files = tuple(f.path for f in self.faces)
        self.size = max(1, round(size))
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        #: Characters drawn with the first font (or riding along): a line made only of them
        #: is one run, measured by one call into FreeType with no per-character Python work.
        self._first: set[str] = set()
        #: Each character's font (None: it rides along with its neighbours, or none has it).
        self._index: dict[str, int | None] = {}
        #: Widths of runs already measured, and the last line measured with its runs (start,
        #: font, width): wrapping measures a line again and again as it grows, and only the
        #: part from its last run on is new.
        self._widths: dict[tuple[int, str], float] = {}
        self._last: tuple[str, list[tuple[int, int, float]]] = ("", [])  # see _mixed_length
        #: The font that has the whole of each mixed word seen (None: no one font has it).
        self._words: dict[str, int | None] = {}

    def font(self, index: int) -> ImageFont.FreeTypeFont:
        if index not in self._fonts:
            self._fonts[index] = open_face(self.faces[index], self.size)
        return self._fonts[index]

    def index_for(self, char: str) -> int | None:
        code = ord(char)
        for index, face in enumerate(self.faces):
            if code in coverage(face.path, face.index):
                return index
        return None

    def _word_index(self, word: str) -> int | None:
        if word not in self._words:
            codes = {ord(c) for c in word if not _rides_along(c)}
            self._words[word] = next(
                (i for i, f in enumerate(self.faces) if codes <= coverage(f.path, f.index)), None
            )
        return self._words[word]

    def _char_index(self, char: str) -> int | None:
        if char not in self._index:
            self._index[char] = None if _rides_along(char) else self.index_for(char)
        return self._index[char]

    def runs(self, line: str) -> list[tuple[str, int]]:
        """``line`` cut into pieces that one font draws; spaces and marks go with the text
        around them. (Runs are sliced, not grown a character at a time: that was quadratic
        in a run's length.)"""
        bounds = self._run_starts(line, 0)
        if not bounds:
            return []
        ends = [start for start, _ in bounds[1:]] + [len(line)]
        return [(line[start:end], index) for (start, index), end in zip(bounds, ends, strict=True)]

    def _run_starts(self, line: str, begin: int) -> list[tuple[int, int]]:
        """(start, font) of each run of ``line`` from ``begin``, which starts a run."""
        out: list[tuple[int, int]] = []
        current = -1
        indices = [self._char_index(char) for char in line[begin:]]
        for start, end in _words(line, begin):
            used = {i for i in indices[start - begin : end - begin] if i is not None}
            if len(used) > 1 and (whole := self._word_index(line[start:end])) is not None:
                indices[start - begin : end - begin] = [whole] * (end - start)
        for position, found in enumerate(indices, begin):
            index = current if found is None else found
            if index < 0:
                index = 0
            if index != current:
                out.append((position, index))
                current = index
        return out

    def length(self, line: str) -> float:
        chars = set(line)
        if not chars <= self._first:
            self._first.update(
                c for c in chars - self._first if _rides_along(c) or self.index_for(c) == 0
            )
            if not chars <= self._first:
                return self._mixed_length(line)
        return self.font(0).getlength(line) if line else 0.0

    def _mixed_length(self, line: str) -> float:
        """The width of a line several fonts draw: the sum of its runs' widths. A line that
        extends the last one measured is segmented and measured only from that line's last
        run on, so growing a line token by token stays linear."""
        if len(self._widths) > 100_000:
            self._widths.clear()
        previous, measured = self._last
        runs: list[tuple[int, int, float]] = []  # (start, font, width of the line up to its end)
        begin = 0
        if measured and line.startswith(previous):
            runs, begin = measured[:-1], measured[-1][0]
        total = runs[-1][2] if runs else 0.0
        starts = self._run_starts(line, begin)
        ends = [start for start, _ in starts[1:]] + [len(line)]
        for (start, index), end in zip(starts, ends, strict=True):
            key = (index, line[start:end])
            if key not in self._widths:
                self._widths[key] = self.font(index).getlength(key[1])
            total += self._widths[key]
            runs.append((start, index, total))
        self._last = (line, runs)
        return total

    def metrics(self, text: str) -> tuple[int, int]:
        """Largest ascent and descent among the fonts ``text`` uses."""
        used = {index for line in text.split("\n") for _, index in self.runs(line)} or {0}
        pairs = [self.font(index).getmetrics() for index in sorted(used)]
        return max(a for a, _ in pairs), max(d for _, d in pairs)

    def missing(self, text: str) -> list[str]:
        """Characters no font in the chain can draw."""
        return sorted({c for c in text if not _rides_along(c) and self.index_for(c) is None})


def _script(char: str) -> str | None:
    """The script of a letter or spacing mark, by the first word of its Unicode name
    (``DEVANAGARI``, ``ARABIC``, ``THAI``, ``LATIN``, ``CJK``...); None for anything else."""
    category = unicodedata.category(char)
    if category[0] == "L" or category == "Mc":
        return unicodedata.name(char, "?").split(" ", 1)[0]
    return None


def _words(line: str, begin: int) -> list[tuple[int, int]]:
    """(start, end) of each word of ``line`` from ``begin``: letters of one script with the
    marks and joiners among them."""
    out: list[tuple[int, int]] = []
    start, script = -1, None
    for position in range(begin, len(line)):
        char = line[position]
        kind = _script(char)
        if kind is not None and kind == script:
            continue
        if kind is None and script is not None and unicodedata.category(char) in ("Mn", "Cf"):
            continue
        if script is not None:
            out.append((start, position))
        start, script = position, kind
    if script is not None:
        out.append((start, len(line)))
    return out


def _rides_along(char: str) -> bool:
    """Whitespace, joiners, variation selectors and combining marks need no glyph of their
    own font: they are drawn with the characters beside them."""
    return char.isspace() or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc")


def wrap(text: str, chain: FontChain, max_width: int) -> list[str]:
    """Greedy wrapping: Latin breaks between words, CJK between characters, a word longer than
    the line is cut between characters. Explicit newlines are kept."""
    lines: list[str] = []

    def fits(candidate: str) -> bool:
        return chain.length(candidate.rstrip()) <= max_width

    for paragraph in text.split("\n"):
        current = ""
        for token in _tokens(paragraph):
            if fits(current + token):
                current += token
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = "" if token.isspace() else token
            while len(current) > 1:
                cut = _longest_fit(current, fits)
                if cut >= len(current):
                    break
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current.rstrip())
    return lines


def _longest_fit(word: str, fits: Callable[[str], bool]) -> int:
    """How many leading characters of ``word`` fit on a line: at least 1, all of them when it
    fits whole. Found by doubling and then halving, so a line of L characters costs O(log L)
    measurements of at most 2L characters, never of the whole rest of a long word; searching
    down one character at a time made wrapping an unbreakable word cubic in its length
    (2,000 characters took minutes)."""
    if not fits(word[:1]):
        return 1
    good, bad = 1, 2
    while bad < len(word) and fits(word[:bad]):
        good, bad = bad, bad * 2
    if bad >= len(word):
        if fits(word):
            return len(word)
        bad = len(word)
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(word[:middle]):
            good = middle
        else:
            bad = middle
    return good
