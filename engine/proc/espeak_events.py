"""espeak-ng's synthesis events, as its callback receives them, and the word timing made of
them (engine/proc/tts_worker.py writes it beside each WAV)."""

from __future__ import annotations

from typing import Any

#: espeak_EVENT_TYPE values (speak_lib.h).
EVENT_END_OF_LIST = 0
EVENT_WORD = 1


def event_type() -> Any:
    """espeak_EVENT, as speak_lib.h lays it out."""
    import ctypes

    class Id(ctypes.Union):
        _fields_ = [
            ("number", ctypes.c_int),
            ("name", ctypes.c_char_p),
            ("string", ctypes.c_char * 8),
        ]

    class Event(ctypes.Structure):
        _fields_ = [
            ("type", ctypes.c_int),
            ("unique_identifier", ctypes.c_uint),
            ("text_position", ctypes.c_int),
            ("length", ctypes.c_int),
            ("audio_position", ctypes.c_int),
            ("sample", ctypes.c_int),
            ("user_data", ctypes.c_void_p),
            ("id", Id),
        ]

    return Event


def word_spans(
    starts: list[tuple[int, int, int]], text: str, total: int, rate: int
) -> list[dict[str, float | int]]:
    """``(first character from 1, length, start sample)`` of each WORD event → the
    ``words.json`` entries: in the text's order, each ending where the next one starts."""
    ordered = sorted(
        (max(0, position - 1), max(0, position - 1) + max(1, length), sample)
        for position, length, sample in starts
        if 0 < position <= len(text)
    )
    spans: list[dict[str, float | int]] = []
    for index, (first, last, sample) in enumerate(ordered):
        following = ordered[index + 1][2] if index + 1 < len(ordered) else total
        end = max(sample, min(total, following))
        spans.append(
            {"start": sample / rate, "end": end / rate, "from": first, "to": min(last, len(text))}
        )
    return spans
