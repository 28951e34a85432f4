"""Word-timed captions in the rendered file: karaoke lights the word being spoken, words
appear as spoken, and captions are muxed as a track the container holds."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from engine.errors import SpecError
from engine.pipeline import render_spec
from tests.conftest import SpecWriter
from tests.media import probe, run_ffmpeg, subtitle_streams
from tests.resolve.test_word_timing import vtt_word_times

FPS = 25
SIZE = (320, 180)
FONT_SIZE = 20
WORDS = ["Red", "green", "blue", "yellow"]


def caption_spec(mode: str, extra: str = "", path: str = "out.mp4") -> str:
    return f"""version: 1
output: {{path: {path}, size: {SIZE[0]}x{SIZE[1]}, fps: {FPS}, video: {{preset: ultrafast}}}}
scenes:
  - narration: {{text: "{" ".join(WORDS)}.", delay: 0.4, padding: 0.5}}
    layers: [{{type: color, color: black}}]
subtitles:
  burn: true
  files: [vtt]
  mode: {mode}
  style: {{size: {FONT_SIZE}, color: white, box: null}}
  highlight: {{color: "#ff0000"}}
{extra}"""


def all_frames(path: Path) -> np.ndarray:
    raw = run_ffmpeg("-i", str(path), "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    return np.frombuffer(raw, np.uint8).reshape(-1, SIZE[1], SIZE[0], 3)


def columns_where(mask: np.ndarray) -> tuple[int, int] | None:
    cols = np.flatnonzero(mask.any(axis=0))
    return (int(cols[0]), int(cols[-1])) if len(cols) else None


def red(picture: np.ndarray) -> np.ndarray:
    r, g, b = (picture[..., i].astype(int) for i in range(3))
    return (r > 90) & (2 * g < r) & (2 * b < r)


def white(picture: np.ndarray) -> np.ndarray:
    return (picture > 150).all(axis=-1)


def font() -> ImageFont.FreeTypeFont:
    """The default caption font, loaded here."""
    font_file = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(font_file), FONT_SIZE)


def measure(text: str) -> float:
    """How far the text advances in the caption font (where the next text would start)."""
    return font().getlength(text)


def ink(text: str) -> tuple[int, int]:
    """The columns the text's ink covers (half-lit or more), from where its drawing starts:
    drawn by Pillow here, alone."""
    pad = 20
    picture = Image.new("L", (round(measure(text)) + 2 * pad, 3 * FONT_SIZE), 0)
    ImageDraw.Draw(picture).text((pad, 2 * FONT_SIZE), text, font=font(), fill=255, anchor="ls")
    span = columns_where(np.asarray(picture) > 128)
    assert span is not None
    return span[0] - pad, span[1] - pad


def word_frames_of(tmp_path: Path, count: int) -> list[int]:
    """The first frame at or after each word's time, from the WebVTT sidecar."""
    times = vtt_word_times((tmp_path / "out.vtt").read_text(encoding="utf-8"))
    assert len(times) == count
    return [int(np.ceil(t * FPS - 1e-9)) for t in times]


def word_frames(tmp_path: Path) -> list[int]:
    return word_frames_of(tmp_path, len(WORDS))


def test_karaoke_lights_the_word_being_spoken_from_its_frame(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    result = render_spec(write_spec(caption_spec("karaoke")))
    frames = all_frames(result.output)
    starts = word_frames(tmp_path)
    assert starts == sorted(set(starts))
    lit: list[tuple[int, int]] = []
    for index, first in enumerate(starts):
        last = (starts[index + 1] if index + 1 < len(starts) else first + 4) - 1
        for number in (first, last):
            span = columns_where(red(frames[number]))
            assert span is not None, f"no word lit at frame {number}"
            # The lit word is this word: as wide as Pillow draws it (the rest is white).
            word = WORDS[index] + ("." if index == 3 else "")
            assert abs((span[1] - span[0]) - (ink(word)[1] - ink(word)[0])) <= 2
            assert span == columns_where(red(frames[first]))
        lit.append(span)
        # The frame before a word starts still lights the word before it (or none).
        before = columns_where(red(frames[first - 1]))
        assert before == (lit[-2] if index else None)
    # Words are lit left to right, in the places they keep on the line.
    assert [a for a, _ in lit] == sorted(a for a, _ in lit)
    line = columns_where(white(frames[starts[-1]]) | red(frames[starts[-1]]))
    assert line is not None and line[0] == lit[0][0]


def test_word_by_word_captions_show_each_word_from_its_frame(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    result = render_spec(write_spec(caption_spec("words")))
    frames = all_frames(result.output)
    starts = word_frames(tmp_path)
    whole = measure(" ".join(WORDS) + ".")
    left = (SIZE[0] - whole) / 2
    for index, first in enumerate(starts):
        shown = columns_where(white(frames[first]))
        assert shown is not None
        prefix = " ".join(WORDS[: index + 1]) + ("." if index == 3 else "")
        # The words so far, where they stand in the whole (centred) line.
        assert abs(shown[0] - (left + ink(prefix)[0])) <= 2
        assert abs(shown[1] - (left + ink(prefix)[1])) <= 2
        if first > 0:
            earlier = columns_where(white(frames[first - 1]))
            assert earlier is None or earlier[1] < shown[1] - measure(WORDS[index]) / 2


@pytest.mark.parametrize(
    ("path", "codec", "video"),
    [("out.mp4", "mov_text", ""), ("out.mkv", "webvtt", ""), ("out.webm", "webvtt", "vp9")],
)
def test_captions_are_muxed_as_a_track_the_container_holds(
    write_spec: SpecWriter, tmp_path: Path, path: str, codec: str, video: str
) -> None:
    spec = caption_spec("karaoke", "  track: true\n", path)
    if video:
        spec = spec.replace("video: {preset: ultrafast}", "video: {codec: vp9, crf: 50}")
    result = render_spec(write_spec(spec))
    assert subtitle_streams(result.output) == [("eng", codec)]
    # The track holds the spoken sentence, at the times of the sidecar's cue.
    track = run_ffmpeg("-i", str(result.output), "-map", "0:s:0", "-f", "srt", "-").decode()
    assert " ".join(WORDS) + "." in track
    sidecar = (tmp_path / "out.vtt").read_text(encoding="utf-8")
    start = sidecar.split("\n\n")[1].split(" --> ")[0]
    assert start.replace(".", ",") in track
    assert probe(result.output).duration == pytest.approx(probe(result.output).duration)


def test_without_track_there_is_no_subtitle_stream(write_spec: SpecWriter) -> None:
    result = render_spec(write_spec(caption_spec("sentence")))
    assert subtitle_streams(result.output) == []


def test_a_container_without_caption_tracks_is_a_located_error(write_spec: SpecWriter) -> None:
    spec = caption_spec("karaoke", "  track: true\n", "out.gif").replace(
        "video: {preset: ultrafast}", "video: {codec: gif}"
    )
    with pytest.raises(SpecError) as caught:
        render_spec(write_spec(spec))
    message = str(caught.value)
    assert "subtitles.track" in message and "holds no caption track" in message
    assert ".mp4" in message


def test_an_unknown_caption_mode_names_the_modes(write_spec: SpecWriter) -> None:
    with pytest.raises(SpecError) as caught:
        render_spec(write_spec(caption_spec("karoke")))
    assert "karaoke" in str(caught.value)


ARABIC = ["مرحبا", "بالعالم", "الجميل", "اليوم"]


def test_karaoke_in_right_to_left_text_lights_words_from_the_right(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    """An Arabic line is drawn whole (shaped, in its own order) and each word is lit where
    it stands: the first word spoken is the rightmost."""
    (tmp_path / "in.srt").write_text(
        f"1\n00:00:00,400 --> 00:00:03,000\n{' '.join(ARABIC)}\n", encoding="utf-8"
    )
    spec = caption_spec("karaoke").replace("  files: [vtt]\n", "  files: [vtt]\n  src: in.srt\n")
    result = render_spec(write_spec(spec.replace(" delay: 0.4, padding: 0.5", " padding: 3")))
    frames = all_frames(result.output)
    starts = word_frames_of(tmp_path, len(ARABIC))
    lit = []
    for index, first in enumerate(starts):
        span = columns_where(red(frames[first]))
        assert span is not None, f"no word lit at frame {first}"
        assert abs((span[1] - span[0]) - (ink(ARABIC[index])[1] - ink(ARABIC[index])[0])) <= 3
        lit.append(span)
    assert [a for a, _ in lit] == sorted((a for a, _ in lit), reverse=True)


def test_a_caption_mixing_directions_shows_whole_with_a_warning(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    (tmp_path / "in.srt").write_text(
        "1\n00:00:00,400 --> 00:00:03,000\nHello مرحبا world\n", encoding="utf-8"
    )
    spec = caption_spec("karaoke").replace("  files: [vtt]\n", "  files: [vtt]\n  src: in.srt\n")
    seen: list[str] = []
    result = render_spec(
        write_spec(spec.replace(" delay: 0.4, padding: 0.5", " padding: 3")),
        on_warnings=lambda issues: seen.extend(str(i) for i in issues),
    )
    assert any("cannot be drawn word by word" in w and "subtitles.mode" in w for w in seen)
    # Shown whole, in the caption color: nothing lit.
    assert columns_where(white(all_frames(result.output)[40])) is not None
    assert columns_where(red(all_frames(result.output)[40])) is None
