"""ffmpeg reads files and reelspec's own pipes, nothing else: no URL protocol (``http:``,
``concat:``, ``subfile,``, ``data:``), and no demuxer that follows references to other files
(an HLS playlist, an ffconcat script), whatever the file is called."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.compile.graph import Input
from engine.compile.plan import Plan
from engine.errors import RenderError
from engine.proc.ffmpeg import run_capture
from engine.run.render import render
from tests.hostile.support import Work, assert_refused, reelspec
from tests.media import run_ffmpeg


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records whatever connects to it (an SSRF would)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    seen.append(connection.recv(1024))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    done.set()
    thread.join(timeout=5)
    server.close()


def copy_plan(target: str, options: tuple[str, ...] = ()) -> Plan:
    return Plan(
        inputs=(Input(target, options),),
        filter_graph=(),
        maps=("0:v",),
        output_args=("-c:v", "libx264", "-preset", "ultrafast", "-frames:v", "2"),
        output_path="out.mp4",
        duration=1.0,
        frame_count=2,
        has_audio=False,
    )


@pytest.fixture
def media(work: Work) -> dict[str, Path]:
    """A clip outside the root, and inside it an HLS playlist and an ffconcat script (named
    like a clip) that point at it."""
    secret = work.outside / "secret.ts"
    run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=64x36:r=5:d=1", "-c:v", "mpeg2video", "-f", "mpegts",
        str(secret),
    )  # fmt: skip
    playlist = work.root / "clip.m3u8"
    playlist.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n{secret}\n#EXT-X-ENDLIST\n",
        encoding="utf-8",
    )
    script = work.root / "clip.mp4"
    script.write_text(f"ffconcat version 1.0\nfile '{secret}'\n", encoding="utf-8")
    return {"secret": secret, "playlist": playlist, "script": script}


def test_url_protocols_are_not_opened(work: Work, listener: tuple[int, list[bytes]]) -> None:
    port, seen = listener
    out = work.root / "out.mp4"
    for target in (
        f"http://127.0.0.1:{port}/x.mp4",
        f"tcp://127.0.0.1:{port}",
        "concat:/etc/hostname|/etc/hostname",
        "subfile,,start,0,end,100,,:/etc/hostname",
        "data:text/plain;base64,aGVsbG8=",
    ):
        with pytest.raises(RenderError) as caught:
            render(copy_plan(target), out, write_manifest=False)
        assert "not on whitelist" in caught.value.stderr_tail or "reads files only" in str(
            caught.value
        ), caught.value
        assert not out.exists()
    assert seen == []  # nothing ever connected


def test_playlists_and_concat_scripts_are_not_followed(
    work: Work, media: dict[str, Path], listener: tuple[int, list[bytes]]
) -> None:
    port, seen = listener
    remote = work.root / "remote.m3u8"
    remote.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:{port}/a.ts\n"
        "#EXT-X-ENDLIST\n",
        encoding="utf-8",
    )
    out = work.root / "out.mp4"
    for source in (media["playlist"], media["script"], remote):
        with pytest.raises(RenderError, match="reads files only"):
            render(copy_plan(str(source)), out, write_manifest=False)
        # A probe opens inputs the same way, so a render never reads what a probe did not.
        probed = run_capture(["-hide_banner", "-i", str(source)], check=False)
        assert "not on whitelist" in probed.stderr
        assert not out.exists()
    assert seen == []
    # The real file next to them still renders: the guard only refuses indirection.
    inside = work.root / "real.ts"
    inside.write_bytes(media["secret"].read_bytes())
    render(copy_plan(str(inside)), out, write_manifest=False)
    assert out.stat().st_size > 0


def test_a_spec_naming_a_playlist_or_a_url_renders_nothing(
    work: Work, media: dict[str, Path]
) -> None:
    before = work.outside_listing()
    for src in ("clip.m3u8", "clip.mp4", "concat:clip.mp4|clip.mp4", "http://127.0.0.1:9/x.mp4"):
        spec = work.spec(
            "version: 1\noutput: {path: out/x.mp4, size: 64x36, fps: 5, "
            "video: {preset: ultrafast}, audio: null}\n"
            f'scenes:\n  - {{layers: [{{type: video, src: "{src}"}}]}}\n'
        )
        result = reelspec("render", spec, "-q")
        assert_refused(result, 2, "scenes[0].layers[0].src")
        assert not (work.root / "out").exists()
    assert work.outside_listing() == before


def test_commands_with_very_many_inputs_keep_a_short_whitelist(
    work: Work, media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the command-line budget every input gets the short list of common demuxers:
    ordinary media still render, indirection is still refused."""
    import engine.run.render as runner

    monkeypatch.setattr(runner, "ARGV_BUDGET", 0)
    out = work.root / "out.mp4"
    with pytest.raises(RenderError, match="reads files only"):
        render(copy_plan(str(media["playlist"])), out, write_manifest=False)
    inside = work.root / "real.ts"
    inside.write_bytes(media["secret"].read_bytes())
    render(copy_plan(str(inside)), out, write_manifest=False)
    assert out.stat().st_size > 0
