"""Command-line arguments and limits from the environment are checked like the spec: a bad
value is exit 2 with a message naming it, never a traceback, a hang or a silent clamp."""

from __future__ import annotations

import socket
import time

import pytest

from engine.cli import main
from tests.hostile.support import Work, assert_refused, reelspec


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("at", "words"),
    [
        ("nan", ["--at", "finite"]),
        ("inf", ["--at", "finite"]),
        ("-1", ["--at must be a time inside the video"]),
        ("1", ["--at must be a time inside the video", "under 1s"]),
        ("1e9", ["--at", "finite"]),
        ("soon", ["--at", "expected a number"]),
    ],
)
def test_still_at(work: Work, at: str, words: list[str]) -> None:
    spec = work.small()
    result = reelspec("still", spec, "--at", at, "-o", work.root / "f.png")
    assert_refused(result, 2, *words)
    assert not (work.root / "f.png").exists()


@pytest.mark.parametrize(
    ("window", "words"),
    [
        ("nan:inf", ["--window", "finite"]),
        ("0:nan", ["--window", "finite"]),
        ("0.5:0.2", ["--window end must be after its start"]),
        ("5:9", ["holds none of the video's frames"]),
        ("a:b", ["--window expects START:END"]),
    ],
)
def test_plan_window(
    work: Work, capsys: pytest.CaptureFixture[str], window: str, words: list[str]
) -> None:
    code, err = cli(capsys, "plan", work.small(), "--window", window)
    assert code == 2, err
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    "args",
    [
        ["--chunks", "0"],
        ["--chunks", "-3"],
        ["--chunks", "two"],
        ["--chunk-seconds", "nan"],
        ["--chunk-seconds", "inf"],
        ["--chunk-seconds", "0"],
        ["--chunk-seconds", "-1"],
        ["--workers", "0"],
        ["--workers", "100000"],
    ],
)
def test_farm_render_sizes(work: Work, args: list[str]) -> None:
    started = time.monotonic()
    result = reelspec("farm", "render", work.small(), *args)
    assert_refused(result, 2, args[0])
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    "args",
    [
        ["--jobs", "0"],
        ["--jobs", "-1"],
        ["--max-rows", "0"],
        ["--template-timeout", "nan"],
        ["--template-timeout", "0"],
        ["--template-timeout", "inf"],
    ],
)
def test_batch_numbers(work: Work, args: list[str]) -> None:
    template = work.spec("version: 1\n", "t.yaml.j2")
    (work.root / "rows.csv").write_text("id\na\n", encoding="utf-8")
    result = reelspec("batch", template, "--data", work.root / "rows.csv", *args)
    assert_refused(result, 2, args[0])


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REELSPEC_STALL_SECONDS", "soon"),
        ("REELSPEC_STALL_SECONDS", "nan"),
        ("REELSPEC_STALL_SECONDS", "0"),
        ("REELSPEC_STALL_RETRIES", "many"),
        ("REELSPEC_STALL_RETRIES", "-1"),
        ("REELSPEC_MEDIA_ROOT", "/no/such/folder"),
        ("REELSPEC_OUTPUT_ROOT", "/no/such/folder"),
    ],
)
def test_limits_from_the_environment(
    work: Work,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, err = cli(capsys, "render", work.small(), "-q")
    assert code == 2, err
    assert variable in err and "Traceback" not in err
    assert not (work.root / "out" / "x.mp4").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "address",
    ["tcp://127.0.0.1:{port}", "nonsense", "http://127.0.0.1:{port}", "tcp://127.0.0.1:99999"],
)
def test_an_unreachable_scheduler_is_a_quick_clear_error(work: Work, address: str) -> None:
    address = address.format(port=free_port())
    started = time.monotonic()
    result = reelspec(
        "farm",
        "render",
        work.small(),
        "--scheduler",
        address,
        env={"REELSPEC_SCHEDULER_TIMEOUT": "2"},
    )
    assert_refused(result, 2, "Dask scheduler", "REELSPEC_SCHEDULER_TIMEOUT")
    assert time.monotonic() - started < 30


def test_scheduler_timeout_must_be_a_number(work: Work) -> None:
    result = reelspec(
        "farm",
        "render",
        work.small(),
        "--scheduler",
        "tcp://127.0.0.1:1",
        env={"REELSPEC_SCHEDULER_TIMEOUT": "nan"},
    )
    assert_refused(result, 2, "REELSPEC_SCHEDULER_TIMEOUT")


def test_spec_paths_that_are_not_spec_files(work: Work, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (work.root, work.root / "missing.yaml", "/dev/null"):
        code, err = cli(capsys, "validate", path)
        assert code == 2, (path, err)
        assert "Traceback" not in err
    code, err = cli(capsys, "render", work.small(), "--media-root", work.root / "nowhere")
    assert code == 2 and "--media-root" in err
