"""Media files that make ffmpeg read something else: playlists, concat scripts, manifests,
and pictures whose header claims more pixels than any frame. Each is refused while the spec is
resolved, with its location, before ffmpeg has opened what it points at."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import SpecWriter

HEAD = """version: 1
output: {path: out.mp4, size: 160x90, fps: 10, video: {preset: ultrafast}}
"""

#: (file name, contents): each points ffmpeg at the clip beside it.
INDIRECT = {
    "playlist.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{clip}\n#EXT-X-ENDLIST\n",
    "disguised.mp4": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{clip}\n#EXT-X-ENDLIST\n",
    "script.ffconcat": "ffconcat version 1.0\nfile '{clip}'\n",
    "list.txt": "ffconcat version 1.0\nfile '{clip}'\n",
    "manifest.mpd": '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"/>\n',
    "session.sdp": "v=0\no=- 0 0 IN IP4 127.0.0.1\nc=IN IP4 127.0.0.1\nm=video 5004 RTP/AVP 96\n",
    "bom.m3u8": "\ufeff#EXTM3U\n#EXTINF:2,\n{clip}\n",
}


@pytest.mark.parametrize("name", sorted(INDIRECT))
@pytest.mark.parametrize("use", ["video", "audio"])
def test_a_file_that_points_at_other_media_is_refused(
    write_spec: SpecWriter,
    tmp_path: Path,
    assets: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    use: str,
) -> None:
    target = tmp_path / name
    target.write_text(INDIRECT[name].format(clip=assets / "clip.mp4"), encoding="utf-8")
    body = (
        f"scenes:\n  - {{duration: 1, layers: [{{type: video, src: {target}}}]}}\n"
        if use == "video"
        else "scenes:\n  - {duration: 1, layers: [{type: color}]}\n"
        f"audio:\n  - {{src: {target}}}\n"
    )
    spec = write_spec(HEAD + body)
    assert main(["validate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{spec}:" in err and "src" in err  # located at the field
    assert "playlist, concat script or manifest" in err or "reads other files" in err
    assert not (tmp_path / "out.mp4").exists()


def test_devices_fifos_and_folders_are_not_media(
    write_spec: SpecWriter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    (tmp_path / "folder.mp4").mkdir()
    # Devices are outside any media root; let /dev in to see the file check refuse them too.
    monkeypatch.setenv("REELSPEC_MEDIA_ROOT", f"{tmp_path}:/dev")
    for src in (fifo, tmp_path / "folder.mp4", Path("/dev/zero"), Path("/dev/null")):
        body = f"scenes:\n  - {{duration: 1, layers: [{{type: video, src: {src}}}]}}\n"
        spec = write_spec(HEAD + body)
        assert main(["validate", str(spec)]) == 2, src  # and it returns: nothing was read
        err = capsys.readouterr().err
        assert "not a regular file" in err and "Traceback" not in err, err


def test_a_png_claiming_gigapixels_is_refused_without_decoding_it(
    write_spec: SpecWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (30_000, 30_000)).save(bomb)  # 900 megapixels in about 100 kB
    spec = write_spec(
        HEAD + f"scenes:\n  - {{duration: 1, layers: [{{type: image, src: {bomb}}}]}}\n"
    )
    assert main(["validate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "REELSPEC_MAX_MEDIA_PIXELS" in err and "Traceback" not in err
