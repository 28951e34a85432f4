"""Finding the ffmpeg binary and running short ffmpeg commands whose output we read.

The binary shipped in the ``imageio-ffmpeg`` wheel is the default, so a fresh machine needs only
pip. ``REELSPEC_FFMPEG`` names another binary (a system ffmpeg with NVENC, say).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from engine.errors import ConfigError

ENV_VAR = "REELSPEC_FFMPEG"


@functools.cache
def ffmpeg_binary() -> str:
    configured = os.environ.get(ENV_VAR)
    if configured:
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if not found:
            raise ConfigError(f"{ENV_VAR}={configured!r} does not name an ffmpeg executable")
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ConfigError(
            "no ffmpeg: install the imageio-ffmpeg package or set REELSPEC_FFMPEG"
        ) from None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


@functools.cache
def ffmpeg_version() -> str:
    out = run_capture(["-version"], check=False).stdout
    match = re.search(r"ffmpeg version (\S+)", out)
    return match.group(1) if match else "unknown"


#: Input protocols ffmpeg may use: files and the pipes reelspec feeds. No network, no
#: ``concat:``/``subfile,``/``data:`` URLs, however a path is spelled.
INPUT_PROTOCOLS = "file,pipe"
#: Demuxers that read other files or URLs named inside the input (playlists, concat scripts,
#: manifests, scripts) or that grab devices. A spec's media is read by every other demuxer of
#: the build; these never, whatever the file is called.
INDIRECT_DEMUXERS = frozenset(
    {
        "avisynth",
        "concat",
        "dash",
        "dvdvideo",
        "fbdev",
        "hls",
        "imf",
        "kmsgrab",
        "lavfi",
        "openal",
        "pulse",
        "rtp",
        "rtsp",
        "sdp",
        "vapoursynth",
        "video4linux2,v4l2",
        "webm_dash_manifest",
        "x11grab",
    }
)


@functools.cache
def safe_demuxers() -> str:
    """Every demuxer of this ffmpeg build except the indirect ones, as a ``-format_whitelist``
    value (ffmpeg matches any comma-separated name of a demuxer against the list)."""
    out = run_capture(["-hide_banner", "-demuxers"], check=False, guard=False).stdout
    listing = re.split(r"^\s*-+\s*$", out, maxsplit=1, flags=re.MULTILINE)[-1]  # the legend
    names = [
        match.group(1)
        for match in re.finditer(r"^\s*D\S*\s+(\S+)\s", listing, re.MULTILINE)
        if match.group(1) not in INDIRECT_DEMUXERS
    ]
    if not names:
        raise ConfigError(f"cannot list the demuxers of {ffmpeg_binary()} (ffmpeg -demuxers)")
    return ",".join(names)


#: The demuxers of ordinary pictures, clips and sounds: the whitelist used instead of every
#: safe demuxer when a command has so many inputs that the long list (about 2 KB an input)
#: would pass the kernel's limit on a command line.
COMMON_DEMUXERS = (
    "image2,png_pipe,jpeg_pipe,webp_pipe,gif,gif_pipe,bmp_pipe,tiff_pipe,qoi_pipe,jpegxl_pipe,"
    "apng,mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,ogg,wav,w64,mp3,aac,flac,"
    "aiff,caf,asf,nut,ivf,yuv4mpegpipe,h264,hevc,m4v,mxf,dv,wv,ac3,eac3,amr"
)


def input_guard(options: Sequence[str], compact: bool = False) -> tuple[str, ...]:
    """Options put before every ``-i``: only files and pipes are opened, and a file is read
    only by a demuxer that does not follow references to other files (an HLS playlist or an
    ffconcat script given as a clip is refused). Inputs whose format reelspec names itself
    (``-f rawvideo`` pipes, the farm's own concat list) keep their demuxer. ``compact``
    lists only the common media demuxers (for commands with very many inputs)."""
    guard: tuple[str, ...] = ("-protocol_whitelist", INPUT_PROTOCOLS)
    if "-f" not in options:
        guard += ("-format_whitelist", COMMON_DEMUXERS if compact else safe_demuxers())
    return guard


def compact_input_guard(options: Sequence[str]) -> tuple[str, ...]:
    return input_guard(options, compact=True)


def guard_inputs(args: Sequence[str]) -> list[str]:
    """``args`` with ``input_guard`` before each ``-i`` (for the short commands that probe)."""
    out: list[str] = []
    since = 0  # options of the current input start after the previous -i and its target
    for at, arg in enumerate(args):
        if arg == "-i" and (at == 0 or args[at - 1] != "-i"):
            out[len(out) - (at - since) :] = [
                *input_guard(args[since:at]),
                *out[len(out) - (at - since) :],
            ]
            since = at + 2
        out.append(arg)
    return out


def run_capture(
    args: Sequence[str], *, check: bool = True, timeout: float = 120.0, guard: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``ffmpeg args`` to completion and return its text output (for probes and queries).
    Every input is opened under ``input_guard``, as in a render, so what a probe accepts a
    render reads the same way."""
    argv = [ffmpeg_binary(), *(guard_inputs(args) if guard and "-i" in args else args)]
    try:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"cannot run ffmpeg at {argv[0]}") from None
    if check and result.returncode != 0:
        from engine.errors import RenderError

        raise RenderError("ffmpeg failed", argv, "\n".join(result.stderr.splitlines()[-15:]))
    return result


def start_ffmpeg(
    argv: Sequence[str], stdin: int | None, pass_fds: Sequence[int]
) -> subprocess.Popen[str]:
    """Start a render: ``argv`` (binary first) reading ``stdin`` (a pipe's read end, or
    nothing) and the pipes ``pass_fds``, with its progress (stdout) and messages (stderr)
    to be read as text."""
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL if stdin is None else stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=tuple(pass_fds),
        text=True,
        encoding="utf-8",
        errors="replace",
    )
