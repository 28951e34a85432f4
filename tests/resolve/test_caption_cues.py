"""Cutting timed words into caption lines and cues (pure), for generated sentences."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.resolve.caption_cues import columns, sentence_cues, words_by_length
from engine.resolve.subtitles import to_vtt
from engine.resolved import SpokenWord

LATIN = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz,.!"), min_size=1, max_size=14)
HAN = st.text(st.sampled_from("你好世界今天天气很我们去公园"), min_size=1, max_size=5)


@st.composite
def spoken_sentences(draw: st.DrawFn) -> tuple[str, tuple[SpokenWord, ...]]:
    """A sentence of Latin words (spaces between) or Chinese words (written together), each
    word spoken at a later time than the one before."""
    chinese = draw(st.booleans())
    tokens = draw(st.lists(HAN if chinese else LATIN, min_size=1, max_size=30))
    gaps = draw(st.lists(st.integers(1, 40), min_size=len(tokens), max_size=len(tokens)))
    joiner = "" if chinese else " "
    sentence = joiner.join(tokens)
    words, position, time = [], 0, Fraction(0)
    for token, gap in zip(tokens, gaps, strict=True):
        start = time
        time += Fraction(gap, 100)
        words.append(SpokenWord(start, time, token, position, position + len(token)))
        position += len(token) + len(joiner)
    return sentence, tuple(words)


@settings(max_examples=200)
@given(spoken_sentences(), st.integers(10, 60), st.integers(1, 4))
def test_every_word_lands_once_in_order_within_the_line_and_cue_limits(
    spoken: tuple[str, tuple[SpokenWord, ...]], max_chars: int, max_lines: int
) -> None:
    sentence, words = spoken
    span = (Fraction(0), words[-1].end + 1)
    cues = sentence_cues(sentence, span, words, max_chars, max_lines)
    shown = [cue.text[w.first : w.last] for cue in cues for w in cue.words]
    assert shown == [w.text for w in words]
    assert [w.start for cue in cues for w in cue.words] == [w.start for w in words]
    for cue in cues:
        lines = cue.text.split("\n")
        assert len(lines) <= max_lines
        begin = 0
        for line in lines:
            inside = [w for w in cue.words if begin <= w.first < begin + len(line)]
            # A line over the limit holds one word that is longer than the limit by itself.
            assert columns(line) <= max_chars or len(inside) == 1
            begin += len(line) + 1
        assert all(cue.start <= w.start for w in cue.words)
    # Cues follow one another without overlap and cover the sentence's time.
    assert cues[0].start == span[0] and cues[-1].end == span[1]
    for cue, following in itertools.pairwise(cues):
        assert cue.end == following.start
    # Chinese words stay written together; Latin words keep one space between them.
    joined = "".join(cue.text.replace("\n", " " if " " in sentence else "") for cue in cues)
    assert joined.replace(" ", "") == sentence.replace(" ", "")


def test_chinese_lines_count_two_columns_a_character() -> None:
    text = "今天天气很好我们去公园散步吧"
    words = words_by_length(text, Fraction(0), Fraction(7))
    cues = sentence_cues(text, (Fraction(0), Fraction(7)), words, 10, 2)
    assert all(columns(line) <= 10 for cue in cues for line in cue.text.split("\n"))


def test_webvtt_stamps_each_word_spoken_after_its_cue_starts() -> None:
    text = "Fish & <chips> taste good"
    words = words_by_length(text, Fraction(1), Fraction(3))
    cues = sentence_cues(text, (Fraction(1), Fraction(3)), words, 42, 2)
    vtt = to_vtt(cues, word_times=True)
    body = vtt.split("\n", 3)[3]
    assert body.startswith("Fish <00:00:01.")
    assert "&amp;" in body and "&lt;chips&gt;" in body
    assert body.count("<00:00:0") == 4
