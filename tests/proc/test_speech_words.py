"""Word timing from phoneme timing: words found in text, phonemes aligned to them."""

from __future__ import annotations

from engine.proc.speech_words import MAX_CELLS, Timed, word_times, words


def _timed(symbols: str, width: int = 10) -> list[Timed]:
    """One phoneme per character, each ``width`` samples long, back to back."""
    return [Timed(s, n * width, (n + 1) * width) for n, s in enumerate(symbols)]


def test_words_are_tokens_with_a_letter_or_digit_without_edge_punctuation() -> None:
    text = "«Hello», world... 3.5 — U.S. don't"
    found = [(text[w.start : w.end], w.token) for w in words(text)]
    assert found == [
        ("Hello", "«Hello»,"),
        ("world", "world..."),
        ("3.5", "3.5"),
        ("U.S", "U.S."),
        ("don't", "don't"),
    ]


def test_each_word_gets_the_time_of_its_own_sounds() -> None:
    text = "hi, you"
    # Spoken: ^ h ˈ a ɪ , ␠ j ˈ u ː $ (the stress marks' time belongs to the next sound)
    spoken = _timed("^haɪ, juː$".replace("a", "ˈa").replace("u", "ˈu"))
    times = word_times(words(text), [list("hˈaɪ,"), list("jˈuː")], spoken, rate=100)
    assert times == [
        # h is the 2nd symbol (samples 10-20); ɪ the 5th (40-50)
        {"start": 0.1, "end": 0.5, "from": 0, "to": 2},
        # j is the 8th symbol (70-80); ː the 11th (100-110)
        {"start": 0.7, "end": 1.1, "from": 4, "to": 7},
    ]


def test_words_joined_in_the_sentence_are_split_at_their_sounds() -> None:
    """espeak reads "in the" as one group, ɪnðə: the alignment still tells them apart."""
    spoken = _timed("ɪnðə")
    times = word_times(words("in the"), [list("ˈɪn"), list("ðə")], spoken, rate=10)
    assert times == [
        {"start": 0.0, "end": 2.0, "from": 0, "to": 2},
        {"start": 2.0, "end": 4.0, "from": 3, "to": 6},
    ]


def test_unmatched_sounds_go_to_the_word_before_and_words_without_a_pause_meet() -> None:
    # The sentence says "three point five"; the words alone were read "three" and "five".
    spoken = _timed("θɹiː pɔɪnt faɪv")
    text = "three five"
    times = word_times(words(text), [list("θɹˈiː"), list("fˈaɪv")], spoken, rate=1)
    assert times is not None and [(t["start"], t["end"]) for t in times] == [
        (0, 105),  # θɹiː, the unmatched pɔɪnt, and half the space before faɪv
        (105, 150),
    ]
    assert [(t["from"], t["to"]) for t in times] == [(0, 5), (6, 10)]


def test_a_word_never_heard_is_left_out_and_a_huge_sentence_is_not_aligned() -> None:
    times = word_times(words("a b"), [list("eɪ"), []], _timed("eɪ"), rate=1)
    assert times == [{"start": 0, "end": 20, "from": 0, "to": 1}]
    side = int(MAX_CELLS**0.5) + 1
    assert word_times(words("x"), [["a"] * side], _timed("a" * side), rate=1) is None
