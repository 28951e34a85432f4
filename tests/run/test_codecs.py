"""Every output codec really encodes, in the container its extension names."""

from __future__ import annotations

import pytest

from engine.pipeline import render_spec
from tests.conftest import SpecWriter
from tests.media import count_frames, probe


@pytest.mark.parametrize(
    ("name", "video", "codec", "audio_codec"),
    [
        ("out.mp4", "{codec: h264, preset: ultrafast}", "h264", "aac"),
        ("out.mp4", "{codec: h265, preset: ultrafast}", "hevc", "aac"),
        ("out.webm", "{codec: vp9, preset: '8'}", "vp9", "opus"),
        ("out.mkv", "{codec: av1, preset: '12'}", "av1", "aac"),
        ("out.mov", "{codec: prores, preset: '0'}", "prores", "aac"),
        ("out.gif", "{codec: gif}", "gif", None),
    ],
)
def test_codec(
    write_spec: SpecWriter, name: str, video: str, codec: str, audio_codec: str | None
) -> None:
    spec = write_spec(f"""version: 1
output: {{path: {name}, size: 96x54, fps: 10, video: {video}}}
scenes:
  - {{duration: 0.6, layers: [{{type: gradient, colors: [red, blue]}}]}}
audio:
  - {{src: {{assets}}/tone.wav}}
""")
    out = render_spec(spec).output
    info = probe(out)
    assert info.video_codec == codec
    assert (info.width, info.height) == (96, 54)
    assert info.audio_codec == audio_codec
    assert count_frames(out) == 6
