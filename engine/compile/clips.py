"""A clip played other than once forwards: one pass of it turned round, repeated to fill its
scene, or a single frame of it held — pictures and sound alike.

A *pass* is what the clip shows when played once: its first ``pass_frames`` output frames
(its trimmed, speed-changed length rounded once to frames). Everything here counts frames from
the scene's first frame and samples from the timeline's, so a window of the video compiled on
its own (a farm chunk, a still) picks exactly the frames and samples the whole render does.
"""

from __future__ import annotations

from fractions import Fraction

from engine.compile.graph import Filter, f, num
from engine.compile.pictures import hold, on_the_tick
from engine.compile.sounds import FRESH_PTS
from engine.timebase import frames_to_samples


def played_frames(
    fps: Fraction, frames: int, pass_frames: int, *, reverse: bool, loop: bool
) -> list[Filter]:
    """A clip's frames (on its own timeline, from 0) made exactly ``frames`` long at the output
    rate: frame k is the clip frame on screen at k / fps (see ``pictures.conform``), then
    :func:`repeated`."""
    return [
        f("tpad", stop_mode="clone", stop=-1),
        on_the_tick(fps),
        *repeated(frames, pass_frames, reverse=reverse, loop=loop),
    ]


def repeated(frames: int, pass_frames: int, *, reverse: bool, loop: bool) -> list[Filter]:
    """A clip's frames at the output rate (its last one held for ever) cut to ``frames``:

    - played once: as they come;
    - ``reverse``: the pass backwards (``reverse`` holds the pass in memory), its last frame —
      the clip's first — held;
    - ``loop``: the pass (or the reversed pass) over and over, frame k being pass frame
      k mod ``pass_frames``. ``loop`` holds the pass in memory and hands out its frames
      again, so each distinct frame is decoded and fitted once."""
    filters: list[Filter] = []
    repeats = loop and frames > pass_frames
    if reverse or repeats:
        filters.append(f("trim", end_frame=pass_frames))
    if reverse:
        filters.append(f("reverse"))
    if repeats:
        filters += [f("loop", loop=-1, size=pass_frames, start=0), f("setpts", "N")]
    elif reverse and frames > pass_frames:
        filters.append(f("tpad", stop_mode="clone", stop=-1))
    return [*filters, f("trim", end_frame=frames)]


def shown_frames(frames: int, pass_frames: int, *, reverse: bool, loop: bool) -> int:
    """How many of the clip's output frames must be decoded: a reversed pass needs all of its
    own, a looped one at most one pass, a clip played once what its scene shows."""
    if reverse:
        return pass_frames
    return min(frames, pass_frames) if loop else frames


def frozen_frame(fps: Fraction, frames: int) -> tuple[list[Filter], list[Filter]]:
    """(head, tail) around the fitting of a frozen clip. Its input is sought, without dropping
    what comes before the seek point (``-noaccurate_seek``), so the frame on screen there is
    the last one at or before time 0; the head keeps just that frame, the tail holds it. The
    clip's last frame is held first: sought past the end of its time (the nearest frame to
    the clip's last moments is its last), nothing would be on screen at 0."""
    head = [f("tpad", stop_mode="clone", stop=-1), on_the_tick(fps), f("trim", end_frame=1)]
    return head, hold(frames)


def pass_sound(samples: int, *, reverse: bool) -> list[Filter]:
    """One pass of sound, exactly ``samples`` long (silence after a shorter sound), backwards
    if asked (``areverse`` holds it in memory)."""
    filters = [f("apad", whole_len=samples), f("atrim", end_sample=samples)]
    if reverse:
        filters += [f("areverse"), FRESH_PTS]
    return filters


def loop_samples(pass_frames: int, fps: Fraction, rate: int) -> int:
    """Samples of one pass of a looped clip's sound: its pictures' time rounded up, so
    consecutive repetitions always meet or overlap by a sample, never leave a gap."""
    return -(-pass_frames * rate * fps.denominator // fps.numerator)


def looped_sound(first_frame: int, pass_frames: int, fps: Fraction, rate: int) -> list[Filter]:
    """A pass of sound (``loop_samples`` long) repeated for ever, repetition k starting on the
    sample where its pictures start: frame ``first_frame + k·pass_frames``, at sample
    ``round((first_frame + k·pass_frames) / fps × rate)`` of the timeline (half to even, as
    ``frames_to_samples`` rounds), counted from the first repetition's.

    A pass of pictures lasts a whole number of frames, which is rarely a whole number of
    samples (25 frames at 24 fps are 45937.5 samples at 44.1 kHz): repeating the sound by a
    fixed count would drift from the pictures by up to half a sample a repetition. So each
    repetition is one frame of sound (``asetnsamples``), stamped with its exact start
    (``asetpts``: k = N / samples, computed in integers, which doubles hold exactly), and
    ``aresample`` lays them on the timeline, dropping the one sample where two repetitions
    overlap (``min_comp``/``min_hard_comp`` below a sample: every misplacement is cut, none
    stretched)."""
    samples = loop_samples(pass_frames, fps, rate)
    repeat = [f("aloop", loop=-1, size=samples)]
    whole_pass = pass_frames * rate * fps.denominator % fps.numerator == 0
    # (A first frame exactly half a sample off would round, half to even, by turns up and down.)
    half_first = 2 * first_frame * rate * fps.denominator % (2 * fps.numerator) == fps.numerator
    if whole_pass and not half_first:
        return repeat  # every repetition starts a whole pass of samples after the one before
    origin = frames_to_samples(first_frame, fps, rate)
    # The repetition's first frame × rate × fps denominator: its start is that ÷ numerator.
    scaled = f"({first_frame}+N/{samples}*{pass_frames})*{rate * fps.denominator}"
    whole = f"floor({scaled}/{fps.numerator})"
    rest = f"({scaled}-{whole}*{fps.numerator})"
    half_even = f"{whole}+gt(2*{rest},{fps.numerator})+eq(2*{rest},{fps.numerator})*mod({whole},2)"
    tiny = num(Fraction(1, 1_000_000))
    return [
        *repeat,
        f("asetnsamples", n=samples, p=1),
        f("asetpts", f"{half_even}-{origin}"),
        f("aresample", rate, async_=1, min_comp=tiny, min_hard_comp=tiny, first_pts=0),
        FRESH_PTS,
    ]
