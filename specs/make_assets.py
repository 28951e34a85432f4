"""Make the small media the example specs use: procedural pictures, a tune, a short clip and
an image sequence. Nothing is downloaded; run `python specs/make_assets.py` to remake them."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"

PALETTES = [
    ((18, 32, 71), (242, 128, 72)),
    ((12, 74, 88), (240, 220, 140)),
    ((58, 20, 70), (90, 200, 220)),
    ((20, 60, 30), (230, 240, 180)),
    ((80, 20, 30), (250, 190, 90)),
    ((30, 30, 40), (160, 170, 255)),
]


def landscape(index: int, size: tuple[int, int] = (1280, 720)) -> Image.Image:
    """A sky gradient, a sun and layered hills: varied, recognisable, compresses well."""
    w, h = size
    top, bottom = PALETTES[index % len(PALETTES)]
    t = np.linspace(0, 1, h)[:, None, None]
    sky = (np.array(top) * (1 - t) + np.array(bottom) * t).repeat(w, axis=1)
    image = Image.fromarray(sky.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    sun_x = int(w * (0.2 + 0.12 * index))
    draw.ellipse((sun_x - 70, h * 0.25 - 70, sun_x + 70, h * 0.25 + 70), fill=(255, 236, 180))
    for layer in range(3):
        shade = tuple(int(c * (0.35 + 0.2 * layer)) for c in top)
        base = h * (0.55 + 0.13 * layer)
        points = [(0, h)]
        for x in range(0, w + 40, 40):
            y = base + 40 * math.sin(x / (140 + 30 * layer) + index + layer * 1.7)
            points.append((x, y))
        points.append((w, h))
        draw.polygon(points, fill=shade)
    return image.filter(ImageFilter.GaussianBlur(1))


def logo(size: int = 160) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, size - 4, size - 4), radius=size // 5, fill=(255, 80, 60, 230))
    draw.polygon(
        [(size * 0.38, size * 0.28), (size * 0.38, size * 0.72), (size * 0.74, size / 2)],
        fill=(255, 255, 255, 255),
    )
    return image


def grade_lut(side: int = 9) -> str:
    """A teal-and-orange grade as a .cube 3D LUT: shadows pushed towards teal, light towards
    orange, a little more contrast (red changes fastest, as the format says)."""
    lines = ['TITLE "reelspec teal and orange"', f"LUT_3D_SIZE {side}"]
    for b in range(side):
        for g in range(side):
            for r in range(side):
                rgb = np.array([r, g, b]) / (side - 1)
                luma = rgb @ np.array([0.2126, 0.7152, 0.0722])
                tint = np.array([1.0, 0.55, 0.1]) * luma + np.array([0.0, 0.45, 0.5]) * (1 - luma)
                out = np.clip(0.5 + 1.1 * (rgb * 0.75 + tint * 0.25 - 0.5), 0, 1)
                lines.append(" ".join(f"{v:.4f}" for v in out))
    return "\n".join(lines) + "\n"


def green_screen(size: tuple[int, int] = (640, 360)) -> Image.Image:
    """A presenter's card shot on a green screen: an orange card with a white play mark,
    and a little green spill on its lower edge."""
    w, h = size
    image = Image.new("RGB", size, (0, 200, 60))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((w * 0.3, h * 0.25, w * 0.7, h * 0.75), radius=30, fill=(240, 130, 60))
    draw.rectangle((w * 0.3 + 20, h * 0.7, w * 0.7 - 20, h * 0.75), fill=(170, 190, 90))
    draw.polygon([(w * 0.45, h * 0.38), (w * 0.45, h * 0.62), (w * 0.58, h / 2)], fill="white")
    return image


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run(*args: str) -> None:
    subprocess.run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def chime() -> None:
    """A bell-like ding (a sound effect for anchored tracks): three partials, dying away."""
    run(
        "-f",
        "lavfi",
        "-i",
        "aevalsrc='0.3*exp(-3*t)*(sin(2*PI*880*t)+0.5*sin(2*PI*1320*t)"
        "+0.25*sin(2*PI*2640*t))':s=44100:d=1.5",
        "-ac",
        "2",
        "-c:a",
        "libvorbis",
        "-q:a",
        "3",
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        str(ASSETS / "chime.ogg"),
    )


def main() -> int:
    ASSETS.mkdir(parents=True, exist_ok=True)
    for i in range(6):
        landscape(i).save(ASSETS / f"photo{i + 1}.jpg", quality=85)
    landscape(2, (720, 1080)).save(ASSETS / "portrait.jpg", quality=85)
    logo().save(ASSETS / "logo.png")
    (ASSETS / "grade.cube").write_text(grade_lut(), encoding="utf-8")
    green_screen().save(ASSETS / "greenscreen.png")
    # A calm loop: a bass note stepping every 2 s under a fixed fifth, with soft swells.
    run(
        "-f",
        "lavfi",
        "-i",
        "aevalsrc='0.15*sin(2*PI*t*220*(1+0.25*floor(mod(t,8)/2)))*(0.6+0.4*sin(PI*mod(t,2)/2))"
        "+0.1*sin(2*PI*t*330)+0.06*sin(2*PI*t*440)':s=44100:d=12",
        "-ac",
        "2",
        "-c:a",
        "libvorbis",
        "-q:a",
        "3",
        str(ASSETS / "music.ogg"),
    )
    chime()
    run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=640x360:r=25:d=6",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:d=6:sample_rate=44100",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "30",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-shortest",
        str(ASSETS / "clip.mp4"),
    )
    frames = ASSETS / "frames"
    frames.mkdir(exist_ok=True)
    for old in frames.glob("*.jpg"):
        old.unlink()
    for i in range(24):
        image = Image.new("RGB", (320, 180), (20, 24, 40))
        draw = ImageDraw.Draw(image)
        x = 20 + i * 11
        draw.ellipse((x, 60, x + 60, 120), fill=(250, 200, 60))
        image.save(frames / f"img_{i + 1:04d}.jpg", quality=80)
    print(f"assets written to {ASSETS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
