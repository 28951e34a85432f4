"""Media as it comes from phones, cameras and the web, made here by ffmpeg and Pillow, rendered
and looked at: turned upright, unstretched, at the right time, with its sound where it
belongs. Expectations come from the media's own definition (numpy's rotation of a known
grid, Pillow's reading of EXIF, the timestamps we wrote), never from the compiler."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from engine.pipeline import prepare, render_spec
from tests.conftest import SpecWriter
from tests.media import audio_samples, count_frames, frame, run_ffmpeg, tone_level

W, H = 160, 90
HEAD = f"""version: 1
output: {{path: out.mp4, size: {W}x{H}, fps: 10, video: {{preset: ultrafast, crf: 0}}}}
"""
#: A picture that shows which way up it is: four quadrants of four colours.
GRID = np.array([[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]], dtype=np.uint8)


def quadrants(width: int, height: int, grid: np.ndarray = GRID) -> np.ndarray:
    rows = np.repeat(grid, height // 2, axis=0)
    return np.repeat(rows, width // 2, axis=1)


def encode(frames: list[np.ndarray], out: Path, *args: str, rate: str = "10") -> Path:
    """Raw RGB frames into a lossless clip (more ffmpeg arguments before the output)."""
    height, width, _ = frames[0].shape
    subprocess.run(
        [
            *run_ffmpeg_argv(),
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", rate,
            "-i", "-", *args, str(out),
        ],
        input=b"".join(f.tobytes() for f in frames),
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


def run_ffmpeg_argv() -> list[str]:
    from engine.proc.ffmpeg import ffmpeg_binary

    return [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]


def color_at(picture: np.ndarray, x: float, y: float) -> tuple[int, ...]:
    return tuple(int(v) for v in picture[int(y), int(x)])


def near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(int(p) - int(q)) <= tolerance for p, q in zip(a, b, strict=True))


def assert_shows(picture: np.ndarray, expected: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """``picture`` shows the 2×2 ``expected`` grid inside ``box`` (x0, y0, x1, y1), with the
    background (black) outside it."""
    x0, y0, x1, y1 = box
    for row in range(2):
        for col in range(2):
            x = x0 + (x1 - x0) * (0.25 + 0.5 * col)
            y = y0 + (y1 - y0) * (0.25 + 0.5 * row)
            wanted = tuple(int(v) for v in expected[row, col])
            assert near(color_at(picture, x, y), wanted), (row, col, color_at(picture, x, y))
    if x0 > 2:
        assert near(color_at(picture, x0 / 2, H / 2), (0, 0, 0))
        assert near(color_at(picture, (x1 + W) / 2, H / 2), (0, 0, 0))


def contained(width: int, height: int) -> tuple[int, int, int, int]:
    """Where a picture of this shown size lands when contained in the frame."""
    scale = min(W / width, H / height)
    w, h = width * scale, height * scale
    return round((W - w) / 2), round((H - h) / 2), round((W + w) / 2), round((H + h) / 2)


# --- rotation -----------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_phone_clip_with_a_display_rotation_is_shown_upright_and_unstretched(
    write_spec: SpecWriter, tmp_path: Path, rotation: int
) -> None:
    stored = encode(
        [quadrants(320, 180)] * 10, tmp_path / "stored.mp4", "-c:v", "libx264", "-qp", "0"
    )
    clip = tmp_path / f"phone{rotation}.mp4"
    subprocess.run(
        [*run_ffmpeg_argv(), "-display_rotation", str(rotation), "-i", str(stored),
         "-c", "copy", str(clip)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    spec = write_spec(
        HEAD
        + f"""scenes:
  - layers: [{{type: video, src: {clip}, fit: contain, background: black}}]
"""
    )
    # ffmpeg's display rotation turns the picture counter-clockwise, as numpy's rot90 does.
    shown = np.rot90(GRID, k=rotation // 90)
    size = (180, 320) if rotation % 180 else (320, 180)
    out = render_spec(spec).output
    assert count_frames(out) == 10
    assert_shows(frame(out, 5), shown, contained(*size))


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_a_photo_with_an_exif_orientation_is_shown_upright_alone_and_in_a_sequence(
    write_spec: SpecWriter, tmp_path: Path, orientation: int
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    photo = Image.fromarray(quadrants(320, 180))
    photo.save(tmp_path / "photo.jpg", exif=exif.tobytes(), quality=95)
    (tmp_path / "seq").mkdir()
    for index in range(3):
        photo.save(tmp_path / "seq" / f"p_{index}.jpg", exif=exif.tobytes(), quality=95)
    # Pillow's reading of the EXIF orientation is the truth we compare with.
    with Image.open(tmp_path / "photo.jpg") as image:
        upright = np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    h, w, _ = upright.shape
    shown = upright[[h // 4, 3 * h // 4]][:, [w // 4, 3 * w // 4]]
    spec = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 0.5, layers: [{{type: image, src: {tmp_path}/photo.jpg, fit: contain,
      background: black}}]}}
  - {{layers: [{{type: image_sequence, src: "{tmp_path}/seq/p_%d.jpg", fps: 10, fit: contain,
      background: black}}]}}
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 8
    for index in (2, 6):
        assert_shows(frame(out, index), shown, contained(w, h))


# --- time ---------------------------------------------------------------------------------


def test_a_variable_frame_rate_clip_is_conformed_to_the_output_rate(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    times = [0.0, 0.32, 0.37, 0.71, 1.22]  # irregular, as a phone records
    shades = [0, 60, 120, 180, 240]
    frames = [np.full((36, 64, 3), shade, np.uint8) for shade in shades]
    table = "+".join(f"eq(N\\,{i})*{t}" for i, t in enumerate(times))
    clip = encode(
        frames,
        tmp_path / "vfr.mkv",
        "-vf", f"settb=1/1000,setpts=({table})/TB",
        "-fps_mode", "passthrough", "-enc_time_base", "1/1000",
        "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p",
        rate="1",
    )  # fmt: skip
    spec = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 1.5, layers: [{{type: video, src: {clip}, fit: fill}}]}}
"""
    )
    out = render_spec(spec).output
    assert count_frames(out) == 15
    for k in range(15):
        # The frame on screen at k/10 s is the last one recorded by then: frame 1 (0.32 s)
        # is on screen at no sampled instant (frame 2 follows it at 0.37 s).
        expected = max(i for i, t in enumerate(times) if t <= k / 10)
        seen = int(frame(out, k)[H // 2, W // 2].mean())
        assert abs(seen - shades[expected]) <= 8, (k, seen, expected)


# --- sound --------------------------------------------------------------------------------


def tone_file(path: Path, freq: int, seconds: float, rate: int, layout: str) -> Path:
    channels = {"mono": 1, "stereo": 2, "5.1": 6}[layout]
    expression = "|".join([f"0.4*sin(2*PI*{freq}*t)"] * min(channels, 2) + ["0"] * (channels - 2))
    run_ffmpeg(
        "-y", "-f", "lavfi", "-i",
        f"aevalsrc={expression}:s={rate}:d={seconds}:c={layout if layout != 'mono' else 'mono'}",
        str(path),
    )  # fmt: skip
    return path


def test_sound_of_any_rate_and_layout_is_heard_where_the_spec_places_it(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    tracks = [
        tone_file(tmp_path / "phone.wav", 300, 1.0, 8000, "mono"),
        tone_file(tmp_path / "cd.wav", 500, 1.0, 44100, "stereo"),
        tone_file(tmp_path / "studio.flac", 700, 1.0, 96000, "stereo"),
        tone_file(tmp_path / "film.wav", 900, 1.0, 48000, "5.1"),
    ]
    spec = write_spec(
        HEAD
        + "scenes:\n  - {duration: 5, layers: [{type: color}]}\naudio:\n"
        + "".join(f"  - {{src: {track}, start: {index}}}\n" for index, track in enumerate(tracks))
    )
    out = render_spec(spec).output
    samples = audio_samples(out)
    assert len(samples) == 5 * 48000
    for index, freq in enumerate((300, 500, 700, 900)):
        assert tone_level(samples, freq, index + 0.1, index + 0.9) > 0.2, freq
        for other in range(5):
            if other != index:
                assert tone_level(samples, freq, other + 0.1, other + 0.9) < 0.01, (freq, other)


def test_a_clip_whose_sound_is_shorter_or_longer_than_its_pictures(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    picture = [np.full((36, 64, 3), 128, np.uint8)] * 20
    short = encode(
        picture, tmp_path / "short_sound.mp4",
        "-f", "lavfi", "-i", "sine=f=440:d=1:sample_rate=22050",
        "-c:v", "libx264", "-c:a", "aac", "-map", "0:v", "-map", "1:a",
    )  # fmt: skip
    long = encode(
        picture[:10], tmp_path / "long_sound.mp4",
        "-f", "lavfi", "-i", "sine=f=880:d=2:sample_rate=44100",
        "-c:v", "libx264", "-c:a", "aac", "-map", "0:v", "-map", "1:a",
    )  # fmt: skip
    spec = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 2, layers: [{{type: video, src: {short}}}]}}
  - {{duration: 2, layers: [{{type: video, src: {long}}}]}}
"""
    )
    out = render_spec(spec).output
    samples = audio_samples(out)
    assert count_frames(out) == 40 and len(samples) == 4 * 48000
    assert tone_level(samples, 440, 0.1, 0.9) > 0.05
    assert tone_level(samples, 440, 1.2, 1.9) < 0.005  # its sound ended after 1 s
    assert tone_level(samples, 880, 2.1, 3.9) > 0.05  # the longer sound plays on
    assert tone_level(samples, 880, 0.1, 1.9) < 0.005


# --- pictures -----------------------------------------------------------------------------


def test_ten_bit_and_hdr_clips_are_converted(write_spec: SpecWriter, tmp_path: Path) -> None:
    ten = tmp_path / "ten.mp4"
    run_ffmpeg(
        "-y", "-f", "lavfi", "-i", "color=c=0x3366cc:s=64x36:r=10:d=1",
        "-c:v", "libx264", "-pix_fmt", "yuv420p10le", "-qp", "0", str(ten),
    )  # fmt: skip
    hdr = tmp_path / "hdr.mp4"
    run_ffmpeg(
        "-y", "-f", "lavfi", "-i", "testsrc2=s=64x36:r=10:d=1",
        "-c:v", "libx265", "-x265-params",
        "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc",
        "-pix_fmt", "yuv420p10le", str(hdr),
    )  # fmt: skip
    spec = write_spec(
        HEAD
        + f"""scenes:
  - layers: [{{type: video, src: {ten}, fit: fill}}]
  - layers: [{{type: video, src: {hdr}, fit: fill}}]
"""
    )
    prepared = prepare(spec)
    assert prepared.resolved.scenes[1].layers[0].media.hdr  # type: ignore[union-attr]
    out = render_spec(spec).output
    assert count_frames(out) == 20
    assert near(color_at(frame(out, 5), W / 2, H / 2), (0x33, 0x66, 0xCC), 10)
    tone_mapped = frame(out, 15).astype(int)
    assert 20 < tone_mapped.mean() < 235 and tone_mapped.std() > 20  # a picture, not a flat field


@pytest.mark.parametrize("kind", ["gif", "webp"])
def test_animated_gif_and_webp_play_as_clips(
    write_spec: SpecWriter, tmp_path: Path, kind: str
) -> None:
    shades = [(i * 25, 0, 250 - i * 25) for i in range(10)]
    pictures = [Image.new("RGB", (64, 36), shade) for shade in shades]
    animation = tmp_path / f"anim.{kind}"
    pictures[0].save(animation, save_all=True, append_images=pictures[1:], duration=100, loop=0)
    spec = write_spec(
        HEAD
        + f"""scenes:
  - layers: [{{type: video, src: {animation}, fit: fill}}]
"""
    )
    assert prepare(spec).resolved.frame_count == 10  # its length is its frames' delays
    out = render_spec(spec).output
    for index in (0, 4, 9):
        assert near(color_at(frame(out, index), W / 2, H / 2), shades[index], 24), index


def test_cmyk_jpeg_and_16_bit_grey_and_transparent_pngs(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    Image.new("CMYK", (64, 36), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg")  # red in print
    Image.fromarray(np.full((36, 64), 0x8080, np.uint16)).save(tmp_path / "grey16.png")
    Image.new("L", (64, 36), 100).save(tmp_path / "grey.png")
    # A palette picture: left half transparent, right half green; and a half-see-through
    # grey with alpha.
    indices = np.zeros((36, 64), np.uint8)
    indices[:, 32:] = 1
    palette = Image.fromarray(indices, "P")
    palette.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    palette.save(tmp_path / "palette.png", transparency=0)
    Image.new("LA", (64, 36), (255, 128)).save(tmp_path / "grey_alpha.png")
    layers = {
        "cmyk.jpg": (255, 0, 0),
        "grey16.png": (128, 128, 128),
        "grey.png": (100, 100, 100),
    }
    scenes = "".join(
        f"  - {{duration: 0.5, layers: [{{type: image, src: {tmp_path}/{name}, fit: fill}}]}}\n"
        for name in layers
    )
    scenes += f"""  - duration: 0.5
    layers: [{{type: color, color: blue}}, {{type: image, src: {tmp_path}/palette.png, fit: fill}}]
  - duration: 0.5
    layers: [{{type: color, color: black}},
             {{type: image, src: {tmp_path}/grey_alpha.png, fit: contain}}]
"""
    out = render_spec(write_spec(HEAD + "scenes:\n" + scenes)).output
    for index, expected in enumerate(layers.values()):
        assert near(color_at(frame(out, index * 5 + 2), W / 2, H / 2), expected, 12), index
    see_through = frame(out, 17)
    assert near(color_at(see_through, W / 4, H / 2), (0, 0, 255))  # the layer below shows
    assert near(color_at(see_through, 3 * W / 4, H / 2), (0, 255, 0))
    assert near(color_at(frame(out, 22), W / 2, H / 2), (128, 128, 128), 12)  # half of white


def test_a_photo_far_larger_than_the_frame_stays_within_sensible_memory(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    big = Image.fromarray(quadrants(12000, 8000))
    big.save(tmp_path / "big.jpg", quality=80)
    del big
    spec = write_spec(
        HEAD
        + f"""scenes:
  - {{duration: 1, layers: [{{type: image, src: {tmp_path}/big.jpg, fit: contain, background: black,
      zoom: {{from: 1, to: 1.1}}}}]}}
overlays:
  - {{type: image, src: {tmp_path}/big.jpg, width: 40, position: top-left}}
"""
    )
    # Peak memory is read from /proc (VmHWM: the high-water mark of a process's own memory;
    # getrusage would count the memory of the process it was forked from): of a fresh Python
    # rendering the spec, and of every ffmpeg it runs, through a wrapper that watches them.
    from engine.proc.ffmpeg import ffmpeg_binary

    peaks = tmp_path / "ffmpeg-peaks.txt"
    wrapper = tmp_path / "ffmpeg"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import subprocess, sys, time\n"
        f"process = subprocess.Popen([{ffmpeg_binary()!r}, *sys.argv[1:]])\n"
        "peak = 0\n"
        "while process.poll() is None:\n"
        "    try:\n"
        "        status = open(f'/proc/{process.pid}/status').read()\n"
        "        peak = max(peak, int(status.split('VmHWM:')[1].split()[0]))\n"
        "    except (OSError, IndexError):\n"
        "        pass\n"
        "    time.sleep(0.005)\n"
        f"open({str(peaks)!r}, 'a').write(f'{{peak}}\\n')\n"
        "sys.exit(process.returncode)\n"
    )
    wrapper.chmod(0o755)
    measure = (
        "import sys\n"
        "from engine.pipeline import render_spec\n"
        "render_spec(sys.argv[1])\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure, str(spec)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "REELSPEC_FFMPEG": str(wrapper)},
    )
    assert result.returncode == 0, result.stderr
    own_kib = int(result.stdout.splitlines()[-1])
    ffmpeg_kib = max(int(line) for line in peaks.read_text().split())
    assert own_kib < 150 * 1024 and ffmpeg_kib < 150 * 1024, (own_kib, ffmpeg_kib)
    out = tmp_path / "out.mp4"
    assert_shows(frame(out, 0), GRID, contained(12000, 8000))


def test_a_picture_whose_header_claims_gigapixels_is_refused(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    from engine.errors import SpecError

    bomb = tmp_path / "bomb.png"
    # 400 megapixels of one bit each: 50 MB to decode, 60 kB on disk.
    Image.new("1", (20_000, 20_000)).save(bomb)
    assert bomb.stat().st_size < 200_000
    spec = write_spec(
        HEAD + f"scenes:\n  - {{duration: 1, layers: [{{type: image, src: {bomb}}}]}}\n"
    )
    with pytest.raises(SpecError, match="REELSPEC_MAX_MEDIA_PIXELS"):
        prepare(spec)


def test_a_clip_with_an_alpha_channel_shows_the_layers_below(
    write_spec: SpecWriter, tmp_path: Path
) -> None:
    clip = tmp_path / "sting.mov"
    # ProRes 4444: the left half transparent, the right half opaque green.
    run_ffmpeg(
        "-y", "-f", "lavfi", "-i",
        "color=c=green:s=64x36:r=10:d=1,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)'"
        ":a='if(lt(X,32),0,255)'",
        "-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le", str(clip),
    )  # fmt: skip
    layers = f"[{{type: color, color: blue}}, {{type: video, src: {clip}, fit: fill}}]"
    spec = write_spec(HEAD + f"scenes:\n  - layers: {layers}\n")
    picture = frame(render_spec(spec).output, 5)
    assert near(color_at(picture, W / 4, H / 2), (0, 0, 255))
    assert near(color_at(picture, 3 * W / 4, H / 2), (0, 128, 0))
