"""Benchmark: a 1080p30 slideshow made four ways, wall-clock medians and ratios.

6 photos × 4 s with 1 s crossfades, a centred title for 3 s, looped music with fades;
libx264 preset medium, crf 23, AAC 192k. The four ways:

- reelspec: ``reelspec render`` of the equivalent spec (CLI start-up included);
- hand-written ffmpeg: the command a competent person writes (``-loop 1 -t 4 -i img.jpg``
  inputs, one xfade chain, the title overlaid, the music faded);
- MoviePy 2: ImageClips, CrossFadeIn, a composite with the title, write_videofile;
- encode floor: the same encoder settings on already-composited frames fed as raw video.

Run: ``python benchmarks/slideshow.py [--repeat 3] [--skip-moviepy]``. The title card is drawn
once by reelspec's Pillow renderer and given to the other three as a PNG, so every way shows
the same pixels.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    Timing,
    machine,
    photos_and_music,
    report,
    time_command,
    x264_aac,
)

W, H, FPS, SECONDS, FADE = 1920, 1080, 30, 4, 1
#: The encoder settings every method uses (reelspec's spec says the same).
ENCODE = x264_aac("medium")
TOTAL = 6 * SECONDS - 5 * FADE


def make_inputs(work: Path) -> dict[str, Path]:
    """Camera-sized photos (3000×2000, so each must be scaled and cropped), music, title."""
    from PIL import Image

    photos = photos_and_music(work, (3000, 2000), quality=90)
    music = work / "music.ogg"
    spec = work / "slideshow.yaml"
    scenes = "\n".join(
        f"  - {{duration: {SECONDS}, layers: [{{type: image, src: {p.name}, fit: cover}}]}}"
        for p in photos
    )
    spec.write_text(
        f"""version: 1
output:
  path: reelspec.mp4
  size: {W}x{H}
  fps: {FPS}
  video: {{codec: h264, preset: medium, crf: 23}}
  audio: {{codec: aac, bitrate: 192k}}
defaults:
  transition: {{type: fade, duration: {FADE}}}
scenes:
{scenes}
overlays:
  - {{type: text, text: "Summer 2026", position: center, start: 0, end: 3,
     style: {{size: 120, weight: bold}}}}
audio:
  - {{src: music.ogg, loop: true, fade_in: 1, fade_out: 2, volume: 0.8}}
""",
        encoding="utf-8",
    )
    # The title exactly as reelspec draws it, for the other methods.
    from engine.pipeline import prepare

    title_src = prepare(spec).resolved.overlays[0].image
    title = work / "title.png"
    shutil.copy(title_src, title)
    with Image.open(title) as image:
        assert image.mode == "RGBA"
    return {
        "spec": spec,
        "music": music,
        "title": title,
        **{f"p{i}": p for i, p in enumerate(photos)},
    }


def write_floor_input(ffmpeg: str, spec: Path, raw: Path, wav: Path) -> None:
    """One run of reelspec's own graph with two lossless outputs instead of the encoder."""
    from engine.compile.compiler import compile_plan
    from engine.pipeline import prepare

    plan = compile_plan(prepare(spec).resolved)
    video_map, audio_map = plan.maps
    argv = [ffmpeg, "-y", "-v", "error"]
    for entry in plan.inputs:
        argv += [*entry.options, "-i", entry.target]
    for graph in plan.graphs():
        argv += ["-filter_complex", graph]
    argv += [
        "-map",
        video_map,
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        str(raw),
        "-map",
        audio_map,
        "-c:a",
        "pcm_s16le",
        str(wav),
    ]
    subprocess.run(argv, check=True)


def hand_written(ffmpeg: str, files: dict[str, Path], out: Path) -> list[str]:
    argv = [ffmpeg, "-y", "-hide_banner", "-loglevel", "error"]
    for i in range(6):
        argv += [
            "-loop",
            "1",
            "-framerate",
            str(FPS),
            "-t",
            str(SECONDS),
            "-i",
            str(files[f"p{i}"]),
        ]
    argv += ["-loop", "1", "-framerate", str(FPS), "-t", "3", "-i", str(files["title"])]
    argv += ["-stream_loop", "-1", "-i", str(files["music"])]
    chains = [
        f"[{i}:v]scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H},setsar=1,"
        f"format=yuv420p[v{i}]"
        for i in range(6)
    ]
    last = "v0"
    for i in range(1, 6):
        offset = i * (SECONDS - FADE)
        chains.append(f"[{last}][v{i}]xfade=transition=fade:duration={FADE}:offset={offset}[x{i}]")
        last = f"x{i}"
    chains.append(f"[{last}][6:v]overlay=(W-w)/2:(H-h)/2:eof_action=pass[v]")
    chains.append(
        f"[7:a]volume=0.8,afade=t=in:d=1,afade=t=out:st={TOTAL - 2}:d=2,atrim=end={TOTAL}[a]"
    )
    argv += [
        "-filter_complex",
        ";".join(chains),
        "-map",
        "[v]",
        "-map",
        "[a]",
        *ENCODE,
        str(out),
    ]
    return argv


MOVIEPY_SCRIPT = """
import sys
from moviepy import (AudioFileClip, CompositeVideoClip, ImageClip, afx,
                     concatenate_videoclips, vfx)
W, H, SECONDS, FADE, TOTAL = {W}, {H}, {SECONDS}, {FADE}, {TOTAL}
photos, title, music, out = sys.argv[1:7], sys.argv[7], sys.argv[8], sys.argv[9]
clips = []
for i, path in enumerate(photos):
    clip = ImageClip(path).with_duration(SECONDS)
    scale = max(W / clip.w, H / clip.h)
    clip = clip.resized(scale).cropped(x_center=clip.w * scale / 2, y_center=clip.h * scale / 2,
                                       width=W, height=H)
    if i:
        clip = clip.with_effects([vfx.CrossFadeIn(FADE)])
    clips.append(clip)
video = concatenate_videoclips(clips, method="compose", padding=-FADE)
card = ImageClip(title).with_duration(3).with_position("center")
final = CompositeVideoClip([video, card], size=(W, H))
sound = AudioFileClip(music).with_effects([afx.AudioLoop(duration=TOTAL), afx.MultiplyVolume(0.8),
                                           afx.AudioFadeIn(1), afx.AudioFadeOut(2)])
final = final.with_audio(sound).with_duration(TOTAL)
final.write_videofile(out, fps=30, codec="libx264", preset="medium",
                      ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"], audio_codec="aac",
                      audio_bitrate="192k", logger=None)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--work", type=Path, default=HERE / "out" / "slideshow")
    args = parser.parse_args()

    from engine.proc.ffmpeg import ffmpeg_binary, ffmpeg_version

    ffmpeg = ffmpeg_binary()
    work = args.work
    files = make_inputs(work)
    timings = [Timing("reelspec"), Timing("hand-written ffmpeg"), Timing("encode floor")]
    if not args.skip_moviepy:
        timings.append(Timing("MoviePy 2"))
    by_name = {t.name: t for t in timings}
    moviepy_script = work / "moviepy_slideshow.py"
    moviepy_script.write_text(
        MOVIEPY_SCRIPT.format(W=W, H=H, SECONDS=SECONDS, FADE=FADE, TOTAL=TOTAL), encoding="utf-8"
    )

    # The floor's input: exactly the frames and mix reelspec encodes, written raw (lossless).
    reelspec_argv = [
        sys.executable,
        "-m",
        "engine",
        "render",
        "-q",
        "--no-manifest",
        str(files["spec"]),
    ]
    raw, wav = work / "frames.yuv", work / "mix.wav"
    write_floor_input(ffmpeg, files["spec"], raw, wav)
    floor_argv = [
        ffmpeg,
        "-y",
        "-v",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        f"{W}x{H}",
        "-r",
        str(FPS),
        "-i",
        str(raw),
        "-i",
        str(wav),
        *ENCODE,
        str(work / "floor.mp4"),
    ]
    # The caches are warm for every method: reelspec's title card exists from the run above.
    for _ in range(args.repeat):
        for name, argv in (
            ("reelspec", reelspec_argv),
            ("hand-written ffmpeg", hand_written(ffmpeg, files, work / "hand.mp4")),
            ("encode floor", floor_argv),
            (
                "MoviePy 2",
                [
                    sys.executable,
                    str(moviepy_script),
                    *[str(files[f"p{i}"]) for i in range(6)],
                    str(files["title"]),
                    str(files["music"]),
                    str(work / "moviepy.mp4"),
                ],
            ),
        ):
            if name not in by_name:
                continue
            wall, cpu = time_command(argv)
            by_name[name].wall.append(wall)
            by_name[name].cpu.append(cpu)
            print(f"  {name}: {wall:.2f}s wall, {cpu:.2f}s cpu", file=sys.stderr)
    raw.unlink(missing_ok=True)
    print(f"machine: {machine()}")
    print(f"ffmpeg: {ffmpeg_version()}  video: {W}x{H}@{FPS}, {TOTAL}s, libx264 medium crf 23")
    print(report(timings, "hand-written ffmpeg"))
    floor = by_name["encode floor"].median_wall
    print(f"reelspec / encode floor: {by_name['reelspec'].median_wall / floor:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
