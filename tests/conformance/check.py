"""The checker: render a spec (locally, as a still, on the farm), read the files back, and
compare them with what the oracle says. Every disagreement is a :class:`Violation`; the
tests raise them by kind, so Hypothesis shrinks each kind of bug on its own."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

from engine.errors import ReelspecError
from engine.pipeline import render_spec, render_still
from tests.conformance.farm import FarmRunner
from tests.conformance.media import HEIGHT, Catalogue
from tests.conformance.observe import (
    SAMPLE_RATE,
    WINDOW,
    Decoded,
    band_levels,
    block_colour,
    decode,
    nearest,
    read_code,
    tone_levels,
)
from tests.conformance.oracle import (
    BASE_BLOCK,
    CODE_ROW,
    WIDTH,
    Coded,
    Expected,
    Oracle,
    Rect,
    Solid,
    Spec,
)

#: One AAC frame: how far the sound's length may be from the picture's.
AAC_FRAME = 1024
#: A tone is present when it reads at least this share of its expected amplitude ...
PRESENT = 0.5
#: ... and absent when it reads below this amplitude (AAC's noise floor is far lower).
ABSENT = 0.01
#: Speech is present when its 2–5 kHz band reaches this RMS somewhere in its window ...
SPEECH_PRESENT = 0.01
#: ... and absent below this RMS.
SPEECH_ABSENT = 0.002
#: How far a still may be from the same frame of the full render, in levels.
STILL_LEVELS = 3
#: How far farm audio samples may be from the local render's.
FARM_AUDIO = 1e-4

CODE_RECT = Rect(0, CODE_ROW[0], WIDTH, CODE_ROW[1])


#: Kinds of violation, most telling first (a wrong frame count shifts everything after it,
#: so it is raised before what it causes).
KINDS = (
    "rejected",
    "frames",
    "picture_source",
    "picture_frame",
    "picture_placed",
    "audio_stream",
    "audio_start",
    "audio_length",
    "tone_missing",
    "tone_heard",
    "speech",
    "still",
    "farm",
)


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str


class ConformanceFailure(AssertionError):
    """A render that disagrees with its spec. One subclass per kind, so that Hypothesis keeps
    (and shrinks) each kind of bug apart."""


FAILURES: dict[str, type[ConformanceFailure]] = {
    kind: type(
        "".join(part.title() for part in kind.split("_")) + "Mismatch", (ConformanceFailure,), {}
    )
    for kind in KINDS
}


@dataclass
class Report:
    violations: list[Violation] = field(default_factory=list)

    def add(self, kind: str, detail: str) -> None:
        self.violations.append(Violation(kind, detail))

    def kinds(self) -> set[str]:
        return {v.kind for v in self.violations}

    def summary(self, kind: str | None = None, limit: int = 8) -> str:
        chosen = [v for v in self.violations if kind is None or v.kind == kind]
        lines = [f"{v.kind}: {v.detail}" for v in chosen[:limit]]
        if len(chosen) > limit:
            lines.append(f"... and {len(chosen) - limit} more")
        return "\n".join(lines)


def write_spec(spec: Spec, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def check(
    spec: Spec,
    media: Catalogue,
    folder: Path,
    *,
    still_frame: int | None = None,
    farm_chunks: int | None = None,
    client: FarmRunner | None = None,
) -> Report:
    report = Report()
    expected = Oracle(spec, media).expected()
    path = write_spec(spec, folder)
    try:
        output = render_spec(path, folder / "out.mp4", write_manifest=False).output
    except ReelspecError as exc:
        report.add("rejected", f"{type(exc).__name__}: {exc}")
        return report
    decoded = decode(output)
    check_frames(expected, decoded, report)
    check_pictures(expected, decoded, report)
    check_sound(expected, decoded, media.frequencies(), report)
    if still_frame is not None:
        check_still(path, expected, decoded, min(still_frame, expected.frames - 1), report)
    if farm_chunks is not None and client is not None:
        check_farm(path, decoded, farm_chunks, client, report)
    return report


def check_frames(expected: Expected, decoded: Decoded, report: Report) -> None:
    if len(decoded.frames) != expected.frames:
        report.add(
            "frames",
            f"{len(decoded.frames)} frames, expected round({expected.duration} s × "
            f"{expected.fps} fps) = {expected.frames}",
        )


def _blocks(spec_overlays: list[Rect]) -> list[Rect]:
    return [BASE_BLOCK, *(r.centre_block() for r in spec_overlays)]


def check_pictures(expected: Expected, decoded: Decoded, report: Report) -> None:
    rects = sorted(
        {item.rect for item in expected.overlays}
        | {item.rect for scene in expected.scenes for item in scene.items},
        key=lambda r: (r.x0, r.y0, r.x1, r.y1),
    )
    blocks = _blocks([r for r in rects if r.x1 - r.x0 < WIDTH])
    moving = expected.moving()
    for n in range(min(expected.frames, len(decoded.frames))):
        frame = decoded.frames[n]
        # A moving picture is read where it is at this frame.
        here = [item.rect_at(n).centre_block() for item in moving if item.maybe_visible(n)]
        inside = [b for b in here if b.x0 >= 0 and b.y0 >= 0 and b.x1 <= WIDTH and b.y1 <= HEIGHT]
        for block in [*blocks, *inside]:
            want = expected.look(n, block)
            if want is None:
                continue
            if isinstance(want, Coded) and block.y1 > HEIGHT // 2:
                continue  # only the top half of a coded frame is its identity colour
            seen = nearest(block_colour(frame, block))
            colour = want.colour
            if seen != colour:
                report.add(
                    "picture_source" if block == BASE_BLOCK else "picture_placed",
                    f"frame {n} at {_where(block)}: saw {_name(seen, block_colour(frame, block))}, "
                    f"expected {_describe(want)}",
                )
                continue
            if isinstance(want, Coded) and block == BASE_BLOCK:
                if expected.look(n, CODE_RECT) != want:
                    continue  # something covers the code stripes
                code = read_code(frame)
                if code not in want.frames:
                    report.add(
                        "picture_frame",
                        f"frame {n}: {want.source} shows its frame {code}, expected one of "
                        f"{sorted(want.frames)}",
                    )


def _where(block: Rect) -> str:
    return "top centre" if block == BASE_BLOCK else f"({block.x0}, {block.y0})"


def _name(seen: tuple[int, int, int] | None, raw: np.ndarray) -> str:
    return str(seen) if seen is not None else f"unknown colour {tuple(int(v) for v in raw)}"


def _describe(want: Solid | Coded) -> str:
    if isinstance(want, Coded):
        return f"{want.source} {want.colour}"
    return str(want.colour)


# --- sound ------------------------------------------------------------------------------------


def check_sound(expected: Expected, decoded: Decoded, freqs: list[float], report: Report) -> None:
    has = decoded.audio is not None
    if expected.audio_stream is not None and has != expected.audio_stream:
        report.add(
            "audio_stream",
            f"audio stream {'present' if has else 'missing'}, expected "
            f"{'one' if expected.audio_stream else 'none'}",
        )
    if decoded.audio is None:
        return
    if decoded.audio_start not in (0, None):
        report.add("audio_start", f"the audio starts at sample {decoded.audio_start}, not 0")
    # Against the picture as rendered: a wrong frame count is reported on its own.
    wanted = len(decoded.frames) / expected.fps * SAMPLE_RATE
    length = len(decoded.audio_raw) if decoded.audio_raw is not None else 0
    if abs(length - wanted) > AAC_FRAME:
        report.add(
            "audio_length",
            f"{length} samples of sound, the picture lasts {float(wanted):.0f}",
        )
    check_tones(expected, decoded.audio, freqs, report)
    check_speech(expected, decoded.audio, report)


def _margin(expected: Expected) -> Fraction:
    """How far from a sound's edges a measurement keeps: one video frame and 10 ms, plus half
    the measuring window."""
    return 1 / expected.fps + Fraction(1, 100) + Fraction(WINDOW) / 2


def _times(expected: Expected) -> list[Fraction]:
    step = Fraction(1, 25)
    return [step * k for k in range(1, math.floor(expected.duration / step))]


def check_tones(expected: Expected, audio: np.ndarray, freqs: list[float], report: Report) -> None:
    """Every frequency of the vocabulary, at every measuring time: loud well inside the
    windows the spec gives it, silent well outside them."""
    margin = _margin(expected)
    # Speech has energy at every frequency of the vocabulary, enough to mask or fake a tone:
    # no tone is judged while it speaks. Where any sound starts, stops or changes frequency,
    # its click spreads over neighbouring frequencies: absence is judged away from those too.
    speaking = [(s.start - margin, s.end + margin) for s in expected.speech]
    busy = speaking + [
        (edge - margin, edge + margin) for tone in expected.tones for edge in (tone.start, tone.end)
    ]
    times = _times(expected)
    every = sorted({t.freq for t in expected.tones} | set(freqs))
    levels = tone_levels(audio, np.array([float(t) for t in times]), every)
    for column, freq in enumerate(every):
        tones = [t for t in expected.tones if t.freq == freq]
        missing, stray = [], []
        for t, level in zip(times, levels[:, column], strict=True):
            if np.isnan(level) or any(a <= t <= b for a, b in speaking):
                continue
            sure = [x for x in tones if x.sure_start + margin <= t <= x.sure_end - margin]
            if sure:
                if level < PRESENT * sure[0].level:
                    missing.append((t, float(level)))
            elif (
                level > ABSENT
                and all(t < tone.start - margin or t > tone.end + margin for tone in tones)
                and all(t < a or t > b for a, b in busy)
            ):
                stray.append((t, float(level)))
        for what, found in (("missing", missing), ("heard", stray)):
            if found:
                spans = _spans([t for t, _ in found])
                levels_found = [level for _, level in found]
                peak = max(levels_found) if what == "heard" else min(levels_found)
                where = [f"{float(a):.2f}–{float(b):.2f}s" for a, b in spans]
                plays = [f"{float(x.start):.3f}–{float(x.end):.3f}s" for x in tones]
                report.add(
                    f"tone_{what}",
                    f"{freq:g} Hz {what} at {', '.join(where)} (level {peak:.3f}); "
                    f"expected at {', '.join(plays) or 'no time'}",
                )


def _spans(times: list[Fraction]) -> list[tuple[Fraction, Fraction]]:
    """Runs of consecutive measuring times, for short messages."""
    spans: list[tuple[Fraction, Fraction]] = []
    for t in times:
        if spans and t - spans[-1][1] <= Fraction(1, 20):
            spans[-1] = (spans[-1][0], t)
        else:
            spans.append((t, t))
    return spans


def check_speech(expected: Expected, audio: np.ndarray, report: Report) -> None:
    """Speech-band energy somewhere inside each narration's window, and none well outside
    every window (away from tone edges, whose clicks reach the band)."""
    margin = _margin(expected)
    edges = [x for tone in expected.tones for x in (tone.start, tone.end)]
    times = _times(expected)
    levels = band_levels(audio, np.array([float(t) for t in times]))
    for speech in expected.speech:
        inside = [
            float(level)
            for t, level in zip(times, levels, strict=True)
            if speech.start + margin <= t <= speech.end - margin and not np.isnan(level)
        ]
        if inside and max(inside) < SPEECH_PRESENT:
            report.add(
                "speech",
                f"no speech in {float(speech.start):.2f}–{float(speech.end):.2f}s "
                f"(loudest {max(inside):.4f})",
            )
    heard = [
        t
        for t, level in zip(times, levels, strict=True)
        if level > SPEECH_ABSENT
        and all(not s.start - margin <= t <= s.end + margin for s in expected.speech)
        and all(abs(t - edge) > margin for edge in edges)
    ]
    if heard:
        where = [f"{float(a):.2f}–{float(b):.2f}s" for a, b in _spans(heard)]
        windows = [f"{float(s.start):.2f}–{float(s.end):.2f}s" for s in expected.speech]
        report.add(
            "speech",
            f"speech-band sound at {', '.join(where)}; speech expected at "
            f"{', '.join(windows) or 'no time'}",
        )


# --- still and farm ---------------------------------------------------------------------------


def check_still(
    spec_path: Path, expected: Expected, decoded: Decoded, n: int, report: Report
) -> None:
    if n >= len(decoded.frames):
        return
    target = spec_path.parent / "still.png"
    try:
        # A quarter into the frame's time on screen: the frame shown there whether a time is
        # read to a frame by floor or by round (n / fps itself, as a float, may fall just
        # before the frame starts).
        render_still(spec_path, float((n + Fraction(1, 4)) / expected.fps), target)
    except ReelspecError as exc:
        report.add("still", f"still at frame {n} failed: {exc}")
        return
    still = np.asarray(Image.open(target).convert("RGB"), dtype=np.int16)
    whole = decoded.frames[n].astype(np.int16)
    if still.shape != whole.shape:
        report.add("still", f"still is {still.shape}, frames are {whole.shape}")
        return
    diff = int(np.abs(still - whole).max())
    if diff > STILL_LEVELS:
        report.add("still", f"still of frame {n} differs from the render by {diff} levels")


def check_farm(
    spec_path: Path, local: Decoded, chunks: int, client: FarmRunner, report: Report
) -> None:
    target = spec_path.parent / "farm.mp4"
    problem = client.render(spec_path, target, chunks)
    if problem is not None:
        report.add("farm", f"farm render ({chunks} chunks) failed: {problem}")
        return
    farmed = decode(target)
    if farmed.frames.shape != local.frames.shape:
        report.add(
            "farm",
            f"farm ({chunks} chunks) made {len(farmed.frames)} frames, local {len(local.frames)}",
        )
    else:
        differ = [
            n
            for n in range(len(local.frames))
            if not np.array_equal(farmed.frames[n], local.frames[n])
        ]
        if differ:
            report.add("farm", f"farm ({chunks} chunks) frames {differ[:10]} differ from local")
    if (farmed.audio_raw is None) != (local.audio_raw is None):
        report.add(
            "farm", f"farm audio stream {'missing' if farmed.audio_raw is None else 'extra'}"
        )
    elif farmed.audio_raw is not None and local.audio_raw is not None:
        if farmed.audio_raw.shape != local.audio_raw.shape:
            report.add(
                "farm",
                f"farm audio has {farmed.audio_raw.shape} samples, local {local.audio_raw.shape}",
            )
        else:
            diff = float(np.abs(farmed.audio_raw - local.audio_raw).max(initial=0.0))
            if diff > FARM_AUDIO:
                report.add("farm", f"farm audio differs from local by {diff:.2e}")


# --- reporting --------------------------------------------------------------------------------


def portable(spec: Spec, media: Catalogue) -> Spec:
    """The spec with the session's media folder written as ``{media}``: the form regression
    files keep."""
    text = json.dumps(spec).replace(str(media.root), "{media}")
    return json.loads(text)  # type: ignore[no-any-return]


def localised(spec: Spec, media: Catalogue) -> Spec:
    """A regression spec's ``{media}`` pointed at this session's media folder."""
    text = json.dumps(spec).replace("{media}", str(media.root))
    return json.loads(text)  # type: ignore[no-any-return]


def assert_conforms(report: Report, spec: Spec, media: Catalogue) -> None:
    """Raise the first kind of violation found (see KINDS), with the spec as a regression
    file would keep it."""
    for kind in KINDS:
        if kind in report.kinds():
            shown = yaml.safe_dump(portable(spec, media), sort_keys=False)
            raise FAILURES[kind](f"{report.summary(kind)}\n\nspec:\n{shown}")
