"""Clips' own sound crossfading at transitions, rendered and measured.

Two clips carry pure tones of their own (600 Hz and 1800 Hz, ffmpeg's sine source) and music
plays a third (1200 Hz) under them. What each transition should do to them is worked out here
from the spec alone (docs/spec.md, "Sound at transitions"): scene starts from the scenes'
durations and transitions, samples as round(seconds × rate), and each curve's gain from its
formula — never from the engine. The sound is decoded and measured with Goertzel (one tone
under the others) and, sample by sample, against a waveform built from those rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from engine.compile.compiler import compile_audio_plan, compile_plan
from engine.compile.plan import Plan
from engine.pipeline import prepare, render_spec
from tests.media import count_frames, probe, run_ffmpeg

RATE = 48000
FPS = 25
A, B, MUSIC = 600.0, 1800.0, 1200.0
#: ffmpeg's sine source plays at 1/8 of full scale.
LEVEL = 1 / 8
MUSIC_VOLUME = 0.5
CLIP_SECONDS = 3

#: Each curve's gain at x of the way through a crossfade (docs/spec.md): the incoming sound
#: plays at gain(x), the outgoing at gain(1 - x).
CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "qsin": lambda x: np.sin(np.pi * x / 2),
    "equal-power": lambda x: np.sin(np.pi * x / 2),
    "tri": lambda x: x,
    "hsin": lambda x: (1 - np.cos(np.pi * x)) / 2,
    "exp": lambda x: 10 ** (-5 * (1 - x)),
    "log": lambda x: np.clip(1 + 0.2 * np.log10(np.maximum(x, 1e-30)), 0, 1),
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tones")
    for name, freq, colour in (("a", A, "red"), ("b", B, "blue")):
        run_ffmpeg(
            *("-f", "lavfi", "-i", f"color=c={colour}:s=64x36:r={FPS}:d={CLIP_SECONDS}"),
            *("-f", "lavfi", "-i", f"sine=f={freq:g}:d={CLIP_SECONDS}:sample_rate={RATE}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "pcm_s16le", str(folder / f"{name}.mkv")),
        )
    run_ffmpeg(
        *("-f", "lavfi", "-i", f"sine=f={MUSIC:g}:d=1:sample_rate={RATE}"),
        *("-c:a", "pcm_s16le", str(folder / "music.wav")),
    )
    return folder


@dataclass(frozen=True)
class Scene:
    """A scene as the test writes it: a clip ("a", "b") or a silent colour, and how it enters."""

    clip: str | None
    duration: Fraction
    #: The transition's ``audio`` (None: no transition; "cut"; or a curve name).
    audio: str | None = None
    transition: Fraction = Fraction(2, 5)

    def yaml(self, folder: Path) -> str:
        layer = (
            f"{{type: video, src: {folder / self.clip}.mkv}}"
            if self.clip
            else "{type: color, color: red}"
        )
        parts = [f"duration: {float(self.duration)}", f"layers: [{layer}]"]
        if self.audio is not None:
            sound = "cut" if self.audio == "cut" else f"{{curve: {self.audio}}}"
            if self.audio == "qsin":
                sound = ""  # the default
            extra = f", audio: {sound}" if sound else ""
            parts.append(f"transition: {{type: fade, duration: {float(self.transition)}{extra}}}")
        return "  - {" + ", ".join(parts) + "}\n"


def write(folder: Path, media: Path, scenes: list[Scene], fps: int = FPS) -> Path:
    """The spec, in ``folder``, of ``scenes`` over looped music, the clips from ``media``."""
    spec = folder / "spec.yaml"
    text = (
        "version: 1\n"
        f"output: {{path: out.mkv, size: 64x36, fps: {fps},\n"
        "         video: {codec: h264, preset: ultrafast}, audio: {codec: pcm}}\n"
        "scenes:\n" + "".join(scene.yaml(media) for scene in scenes)
    )
    text += f"audio:\n  - {{src: {media / 'music.wav'}, loop: true, volume: {MUSIC_VOLUME}}}\n"
    spec.write_text(text)
    return spec


def starts(scenes: list[Scene]) -> list[Fraction]:
    """Scene starts in exact seconds: S₀ = 0, Sᵢ = Sᵢ₋₁ + Dᵢ₋₁ − Tᵢ."""
    out = [Fraction(0)]
    for before, scene in pairwise(scenes):
        overlap = scene.transition if scene.audio is not None else Fraction(0)
        out.append(out[-1] + before.duration - overlap)
    return out


def samples_at(seconds: Fraction) -> int:
    return round(seconds * RATE)


def frame_sample(seconds: Fraction, fps: int) -> int:
    """The sample where the frame showing ``seconds`` begins."""
    return samples_at(Fraction(round(seconds * fps), fps))


def envelopes(scenes: list[Scene], total: int, fps: int = FPS) -> list[np.ndarray]:
    """Each clip's gain, sample by sample, from the spec's rules: a clip sounds from its
    scene's first frame; it fades in over the transition into its scene (a crossfade's curve;
    linear for ``audio: cut``; 10 ms where scenes cut) and, where the next scene crossfades,
    out over that one, whose ramp starts on the next scene's first sample and lasts the
    transition's duration in samples; with ``audio: cut`` next, it stops at its scene's end.
    One envelope a scene (all zeros for a scene without a clip)."""
    begin = starts(scenes)
    n = np.arange(total, dtype=np.float64)
    out = []
    for i, scene in enumerate(scenes):
        if scene.clip is None:
            out.append(np.zeros(total))
            continue
        first = frame_sample(begin[i], fps)
        end = frame_sample(begin[i] + scene.duration, fps)
        gain = np.ones(total)
        if scene.audio is None:
            ramp, curve = samples_at(Fraction(1, 100)), CURVES["tri"]
        else:
            ramp = samples_at(scene.transition)
            curve = CURVES["tri" if scene.audio == "cut" else scene.audio]
        x = np.clip((n - first) / ramp, 0, 1)
        gain *= curve(x)
        if i + 1 < len(scenes) and scenes[i + 1].audio not in (None, "cut"):
            following = scenes[i + 1]
            at = frame_sample(begin[i + 1], fps)
            ramp = samples_at(following.transition)
            x = np.clip((n - at) / ramp, 0, 1)
            gain *= CURVES[str(following.audio)](1 - x)
            end = max(end, at + ramp)
        gain[(n < first) | (n >= end)] = 0
        out.append(gain)
    return out


def tone(freq: float, first: int, total: int) -> np.ndarray:
    """The clip's sine, its first sample at ``first`` (phase 0 there)."""
    return np.sin(2 * np.pi * freq * (np.arange(total) - first) / RATE)


def decoded(path: Path) -> np.ndarray:
    """The render's sound, channels averaged, exactly as stored (no resampling)."""
    raw = run_ffmpeg("-i", str(path), "-map", "0:a:0", "-ac", "1", "-f", "f32le", "-")
    return np.frombuffer(raw, np.float32).astype(np.float64)


def level(sound: np.ndarray, freq: float, a: int, b: int) -> float:
    """The amplitude of the sine at ``freq`` in samples [a, b) (Goertzel on a Hann window)."""
    window = sound[a:b]
    taper = np.hanning(len(window))
    phase = np.exp(-2j * np.pi * freq * np.arange(len(window)) / RATE)
    return float(2 * abs(np.sum(window * taper * phase)) / np.sum(taper))


def predicted(gain: np.ndarray, a: int, b: int) -> float:
    """What :func:`level` reads of a tone under ``gain``: the window's weighted mean gain."""
    taper = np.hanning(b - a)
    return float(np.sum(gain[a:b] * taper) / np.sum(taper))


# --- one render, every curve ---------------------------------------------------------------

TWO = Fraction(2)
SCENES = [
    Scene("a", TWO),
    Scene("b", TWO, "qsin"),  # the default
    Scene("a", TWO, "tri"),
    Scene("b", TWO, "hsin"),
    Scene("a", TWO, "exp"),
    Scene("b", TWO, "log"),
    Scene("a", TWO, "equal-power"),
    Scene("b", TWO, "cut"),
    Scene(None, Fraction(6, 5), "qsin"),  # a side without sound just fades
    Scene("a", TWO, "qsin"),
]


@pytest.fixture(scope="module")
def render(clips: Path) -> Path:
    folder = clips.parent / "every_curve"
    folder.mkdir()
    return render_spec(write(folder, clips, SCENES)).output


def test_the_video_is_as_long_as_its_scenes_say_and_the_sound_exactly_as_long(
    render: Path,
) -> None:
    total = starts(SCENES)[-1] + SCENES[-1].duration  # 15.6 s
    assert count_frames(render) == round(total * FPS) == 390
    assert len(decoded(render)) == samples_at(total) == 748800
    assert probe(render).sample_rate == RATE


def test_each_transition_crossfades_by_its_curve(render: Path) -> None:
    """Before a transition only the outgoing tone, at full level; a quarter, half and three
    quarters of the way through, each tone at the level its curve gives; after it, only the
    incoming tone. The music under them never moves."""
    sound = decoded(render)
    total = len(sound)
    begin = starts(SCENES)
    gains = envelopes(SCENES, total)
    freq = {"a": A, "b": B}
    full = level(sound, A, samples_at(Fraction(1, 5)), samples_at(Fraction(7, 5)))
    assert full == pytest.approx(LEVEL, rel=0.02)
    half = 960  # 20 ms either side of each measuring point
    for i in range(1, len(SCENES)):
        at = samples_at(begin[i])
        ramp = samples_at(SCENES[i].transition)
        outgoing, incoming = SCENES[i - 1], SCENES[i]
        where = f"into scene {i} ({incoming.audio})"
        # Just before and just after: one tone alone, at full level.
        before = (at - 2 * half - 4800, at - 4800)
        after = (at + ramp + 4800, at + ramp + 4800 + 2 * half)
        if outgoing.clip:
            assert level(sound, freq[outgoing.clip], *before) / full == pytest.approx(1, abs=0.02)
            assert level(sound, freq[outgoing.clip], *after) < 0.002, where
        if incoming.clip:
            assert level(sound, freq[incoming.clip], *before) < 0.002, where
            assert level(sound, freq[incoming.clip], *after) / full == pytest.approx(1, abs=0.02)
        for share in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)):
            mid = at + round(share * ramp)
            a, b = mid - half, mid + half
            for index in (i - 1, i):
                clip = SCENES[index].clip
                if clip is None:
                    continue
                expected = predicted(gains[index], a, b)
                found = level(sound, freq[clip], a, b) / full
                assert found == pytest.approx(expected, abs=0.005), (where, index, float(share))
            music = level(sound, MUSIC, a, b) / full
            assert music == pytest.approx(MUSIC_VOLUME, abs=0.005), (where, float(share))


def waveform(scenes: list[Scene], total: int, fps: int = FPS) -> np.ndarray:
    """The sound the spec describes: the music, and every clip's sine from its scene's first
    frame under its envelope."""
    begin = starts(scenes)
    freq = {"a": A, "b": B}
    sound = MUSIC_VOLUME * LEVEL * tone(MUSIC, 0, total)
    for index, gain in enumerate(envelopes(scenes, total, fps)):
        clip = scenes[index].clip
        if clip is not None:
            sound += gain * LEVEL * tone(freq[clip], frame_sample(begin[index], fps), total)
    return sound


#: The largest difference allowed between the decoded sound and :func:`waveform`: a few steps
#: of the 16-bit files involved (measured: 1e-4). A tone one sample early or late misses by
#: 0.01 (600 Hz) or 0.03 (1800 Hz); a ramp misplaced by k samples by up to k × 7e-5 (exp).
CLOSE = 3e-4


def test_the_sound_is_the_spec_s_waveform_sample_for_sample(render: Path) -> None:
    """The whole decoded sound is the waveform the spec describes, sample for sample: every
    tone starts on its sample and every ramp lies where the spec puts it."""
    sound = decoded(render)
    error = np.abs(sound - waveform(SCENES, len(sound)))
    assert float(error.max()) < CLOSE, int(error.argmax())


# --- a transition the timeline rounds short ---------------------------------------------------


@pytest.mark.parametrize("audio", ["qsin", "cut"])
def test_a_transition_rounded_to_fewer_frames_still_sounds_over_its_whole_duration(
    clips: Path, tmp_path: Path, audio: str
) -> None:
    """At 15 fps a 0.1 s transition from a 1.1 s scene is a frame and a half: the timeline
    gives it one frame (scene 0 covers frames [0, 16), scene 1 starts at frame 15, 1.0 s). The
    crossfade still lasts 0.1 s, samples [48000, 52800): the outgoing clip sounds on for the
    third of it past its last frame (which ends at 1.0667 s, sample 51200). With ``audio:
    cut``, the outgoing clip stops there at full level and the incoming fades in linearly."""
    scenes = [Scene("a", Fraction(11, 10)), Scene("b", Fraction(1), audio, Fraction(1, 10))]
    render = render_spec(write(tmp_path, clips, scenes, fps=15)).output
    sound = decoded(render)
    assert count_frames(render) == 30
    assert len(sound) == 2 * RATE
    error = np.abs(sound - waveform(scenes, len(sound), fps=15))
    assert float(error.max()) < CLOSE, int(error.argmax())
    # Three quarters of the way through, after the outgoing scene's last frame (±5 ms).
    full = level(sound, A, 4800, 43200)
    a, b = 51600 - 240, 51600 + 240
    if audio == "cut":
        assert level(sound, A, a, b) / full < 0.01
        assert level(sound, B, a, b) / full == pytest.approx(0.75, abs=0.01)
    else:
        assert level(sound, A, a, b) / full == pytest.approx(np.cos(3 * np.pi / 8), abs=0.01)
        assert level(sound, B, a, b) / full == pytest.approx(np.sin(3 * np.pi / 8), abs=0.01)


# --- the farm -----------------------------------------------------------------------------------


def _sound_graph(plan: Plan) -> list[str]:
    """A plan's sound graph with each input named by what it reads, not by its number."""
    names = [f"{item.target} {' '.join(item.options)}" for item in plan.inputs]
    return [
        re.sub(r"\[(\d+):a\]", lambda m: f"[{names[int(m.group(1))]}:a]", chain)
        for chain in plan.audio_graph
    ]


def test_a_farm_s_sound_is_compiled_as_the_local_render_s(render: Path) -> None:
    """The farm renders the sound apart (``compile_audio_plan``) and muxes it with the joined
    chunks: its graph is the local render's, crossfades included."""
    resolved = prepare(render.parent / "spec.yaml").resolved
    local = _sound_graph(compile_plan(resolved))
    farm = compile_audio_plan(resolved, str(render.parent / "sound.mkv"))
    assert farm is not None
    assert _sound_graph(farm) == local
    # Every clip meets a crossfade: all but the one after ``audio: cut`` enter with one, and
    # all but that one's predecessor and the last clip leave with one.
    assert sum("curve=" in chain for chain in local) == 9
    assert sum("afade=t=out" in chain for chain in local) == 7
