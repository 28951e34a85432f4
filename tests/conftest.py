"""Shared fixtures: a private artifact cache, small real media made on the spot, and a way to
write a spec next to them."""

from __future__ import annotations

import math
import os
import signal
import struct
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.media import run_ffmpeg


@pytest.fixture(scope="session", autouse=True)
def _interruptible_children() -> None:
    """Tests send Ctrl-C (SIGINT) to the commands they start and expect what a terminal user
    sees. A shell that starts the test run in the background (``cmd &`` without job control)
    makes SIGINT ignored, and ignored signals stay ignored in every child: then no command
    could be interrupted and those tests would fail for a reason outside reelspec. A handled
    signal is reset to its default in children, so handling it here gives them the default."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["REELSPEC_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Specs may read media only inside their own folder unless a media root is added
    (engine.paths). Tests keep shared media (``assets``, ``model_files``) in session folders
    apart from the specs that use them, all under the session's base folder, and some use
    the example models and media in ``specs/``: both are added here, as a user would with
    REELSPEC_MEDIA_ROOT. Tests of confinement itself unset it."""
    examples = Path(__file__).resolve().parent.parent / "specs"
    os.environ["REELSPEC_MEDIA_ROOT"] = os.pathsep.join(
        [str(tmp_path_factory.getbasetemp()), str(examples)]
    )


def _tone(path: Path, seconds: float, freq: float, rate: int = 44100, amp: float = 0.5) -> None:
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(amp * 32767 * math.sin(2 * math.pi * freq * i / rate)))
                for i in range(frames)
            )
        )


@pytest.fixture(scope="session")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("assets")
    Image.new("RGB", (320, 180), (255, 0, 0)).save(root / "red.png")
    Image.new("RGB", (320, 180), (0, 0, 255)).save(root / "blue.png")
    Image.new("RGB", (200, 200), (0, 200, 0)).save(root / "green_square.png")
    # Quadrants let a test see which part of a picture is shown (zoom, crop, pan).
    quad = Image.new("RGB", (320, 180), (255, 255, 255))
    draw = ImageDraw.Draw(quad)
    draw.rectangle((0, 0, 159, 89), fill=(255, 0, 0))
    draw.rectangle((160, 0, 319, 89), fill=(0, 255, 0))
    draw.rectangle((0, 90, 159, 179), fill=(0, 0, 255))
    draw.rectangle((150, 80, 169, 99), fill=(0, 0, 0))
    quad.save(root / "quad.png")
    logo = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((0, 0, 39, 39), fill=(255, 255, 255, 255))
    logo.save(root / "logo.png")
    _tone(root / "tone.wav", 1.0, 440.0)
    _tone(root / "long_tone.wav", 6.0, 330.0)
    run_ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=25:d=2",
        "-f",
        "lavfi",
        "-i",
        "sine=f=660:d=2:sample_rate=48000",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(root / "clip.mp4"),
    )
    run_ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=yellow:s=320x180:r=25:d=2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        str(root / "silent_clip.mp4"),
    )
    frames = root / "frames"
    frames.mkdir()
    for i in range(10):
        shade = 20 + i * 20
        Image.new("RGB", (160, 90), (shade, shade, shade)).save(frames / f"f_{i + 1:03d}.png")
    (root / "notmedia.png").write_text("this is not a picture")
    np.save(root / "unused.npy", np.zeros(1))
    return root


SpecWriter = Callable[..., Path]


@pytest.fixture
def write_spec(tmp_path: Path, assets: Path) -> SpecWriter:
    """Write a spec; ``{assets}`` in the text names the shared media folder and the output
    goes to ``out.<ext>`` in the test's own folder."""

    def write(body: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(body.replace("{assets}", str(assets)), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real Keras models (built and saved by Keras), good and bad; see tests/models.py."""
    from tests.models import make_models

    return make_models(tmp_path_factory.mktemp("models"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--conformance-long",
        action="store_true",
        default=False,
        help="run the spec conformance suite (tests/conformance) on thousands of generated "
        "specs with a random seed, every one also through the farm, instead of the fixed-seed "
        "CI set",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "conformance: renders generated specs and checks them against an independent oracle "
        "(--conformance-long for the long run)",
    )
